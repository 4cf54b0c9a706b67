package chat.protocol;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** How the client rewrites typed lines and prints replies: PROTOCOL.md section 3. */
class ClientProtocolTest {
  private static final Map<String, String> TOKENS = Map.of("alice", "T1", "bob", "T2");

  private static String rewrite(String line) {
    return ClientProtocol.rewrite(line, TOKENS::get);
  }

  @Test
  void registerAndLoginGoAsTyped() {
    assertEquals("register alice pw", rewrite("register alice pw"));
    assertEquals("login alice pw extra", rewrite("login alice pw extra"));
  }

  @Test
  void secondWordBecomesTheToken() {
    assertEquals("invite T1 bob", rewrite("invite alice bob"));
    assertEquals("send T1 bob hello world", rewrite("send alice bob hello world"));
    assertEquals("logout T2", rewrite("logout bob"));
  }

  @Test
  void userWithoutTokenIsRemoved() {
    assertEquals("invite b c", rewrite("invite a b c"));
    assertEquals("post", rewrite("post a"));
    assertEquals("delete b", rewrite("delete a b"));
  }

  @Test
  void oneWordCommandsGoAsTheyAre() {
    assertEquals("invite", rewrite("invite"));
    assertEquals("logout", rewrite("logout"));
  }

  @Test
  void unknownWordsAreRewrittenLikeTokenCommands() {
    assertEquals("logi a", rewrite("logi a a"));
    assertEquals("exi", rewrite("exi"));
  }

  @Test
  void messageRepliesPrintTheMessage() {
    assertEquals(List.of("Success!"), ClientProtocol.print(Command.INVITE, Reply.ok()));
    assertEquals(List.of("Not login yet"), ClientProtocol.print(Command.LIST_FRIEND, Reply.fail("Not login yet")));
    assertEquals(List.of("Unknown command x"), ClientProtocol.print(null, Reply.fail("Unknown command x")));
  }

  @Test
  void listsPrintOneNamePerLine() {
    assertEquals(List.of("a", "b"), ClientProtocol.print(Command.LIST_FRIEND, Reply.list("friend", List.of("a", "b"))));
    assertEquals(List.of("g1"), ClientProtocol.print(Command.LIST_JOINED, Reply.list("group", List.of("g1"))));
  }

  @Test
  void emptyListsPrintTheirWords() {
    assertEquals(List.of("No invitations"), ClientProtocol.print(Command.LIST_INVITE, Reply.list("invite", List.of())));
    assertEquals(List.of("No friends"), ClientProtocol.print(Command.LIST_FRIEND, Reply.list("friend", List.of())));
    assertEquals(List.of("No groups"), ClientProtocol.print(Command.LIST_GROUP, Reply.list("group", List.of())));
    assertEquals(List.of("No groups"), ClientProtocol.print(Command.LIST_JOINED, Reply.list("group", List.of())));
    assertEquals(List.of("No posts"), ClientProtocol.print(Command.RECEIVE_POST, Reply.list("post", List.of())));
  }

  @Test
  void postsPrintAuthorAndMessage() {
    JsonObject reply = new JsonObject().put("status", 0).put("post", new JsonArray()
        .add(Reply.post("bob", "Hi I am B")).add(Reply.post("carol", "hello  there")));
    assertEquals(List.of("bob: Hi I am B", "carol: hello  there"), ClientProtocol.print(Command.RECEIVE_POST, reply));
  }

  @Test
  void deliveriesPrintInTheReferenceShape() {
    assertEquals("<<<USER_A->USER_B: HELLO WORLD>>>",
        ClientProtocol.delivery(Deliveries.direct("USER_A", "USER_B", "HELLO WORLD")));
    assertEquals("<<<USER_A->GROUP<GROUP_A>: HELLO WORLD>>>",
        ClientProtocol.delivery(Deliveries.group("USER_A", "GROUP_A", "HELLO WORLD")));
    assertNull(ClientProtocol.delivery(new JsonObject().put("type", 0)));
  }

  @Test
  void deliveryBodiesAreTheReferenceJson() {
    assertEquals(new JsonObject("{\"type\": 0, \"from\": \"a\", \"to\": \"b\", \"message\": \"m\"}"),
        Deliveries.direct("a", "b", "m"));
    assertEquals(new JsonObject("{\"type\": 1, \"from\": \"a\", \"to\": \"g\", \"message\": \"m\"}"),
        Deliveries.group("a", "g", "m"));
  }
}
