package chat.it;

import chat.ChatServer;
import chat.support.TestServers;
import chat.support.Wire;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Names, quotas, bounded replies and write rates through the whole service on real sockets. */
class LimitsIntegrationTest {
  private static final String INVALID_NAME = "Invalid name: use letters, digits, _ - . (at most 32)";
  private static final String TOO_MANY_REQUESTS = "Too many requests, try again later";

  @TempDir
  Path data;
  private final Vertx vertx = Vertx.vertx();
  private ChatServer server;

  @AfterEach
  void stop() throws Exception {
    if (server != null) {
      server.close().await(30, TimeUnit.SECONDS);
    }
    vertx.close().await(30, TimeUnit.SECONDS);
  }

  private void start(Map<String, String> settings) throws Exception {
    server = TestServers.start(vertx, data, settings).await(60, TimeUnit.SECONDS);
  }

  private JsonObject ask(String text) throws IOException {
    return Wire.reference(server.loginPort(), text);
  }

  private String message(String text) throws IOException {
    return ask(text).getString("message");
  }

  private String login(String user) throws IOException {
    assertEquals("Success!", message("register " + user + " pw"));
    JsonObject reply = ask("login " + user + " pw");
    assertEquals("Success!", reply.getString("message"), reply.encode());
    return reply.getString("token");
  }

  /** {@code inviter} invites {@code accepter}, who accepts. */
  private void befriend(String inviterToken, String accepter, String accepterToken, String inviter) throws IOException {
    assertEquals("Success!", message("invite " + inviterToken + " " + accepter));
    assertEquals("Success!", message("accept-invite " + accepterToken + " " + inviter));
  }

  @Test
  void unsafeNamesAreRefusedAndTakenNamesAnsweredAsBefore() throws Exception {
    start(Map.of());
    assertEquals(INVALID_NAME, message("register bob\u202egnp.exe pw"));
    assertEquals(INVALID_NAME, message("register al\u200bice pw"));
    assertEquals(INVALID_NAME, message("register p\u0430ypal pw"), "a Cyrillic a among Latin letters");
    assertEquals(INVALID_NAME, message("register e\u0301 pw"), "not NFC");
    assertEquals("Name too long", message("register " + "x".repeat(33) + " pw"));
    assertEquals("Success!", message("register Jos\u00e9 pw"));
    assertEquals("Success!", message("register \u5f20\u4f1f pw"));
    String bob = login("bob");
    assertEquals("bob is already used", message("register bob pw"));
    assertEquals("Usage: register <username> <password>", message("register bob\u202e"));

    assertEquals(INVALID_NAME, message("create-group " + bob + " t\u200beam"));
    assertEquals("Name too long", message("create-group " + bob + " " + "g".repeat(33)));
    assertEquals("Success!", message("create-group " + bob + " team"));
    assertEquals("team already exist", message("create-group " + bob + " team"));
    assertEquals(new JsonArray().add("team"), ask("list-group " + bob).getJsonArray("group"));
  }

  @Test
  void overlongMessagesAndPostsAreRefused() throws Exception {
    start(Map.of());
    String a = login("a");
    String b = login("b");
    befriend(a, "b", b, "a");
    String refused = "Message too long (at most 4096 characters)";
    assertEquals(refused, message("post " + a + " " + "p".repeat(4097)));
    assertEquals(refused, message("send " + a + " b " + "s".repeat(4097)));
    assertEquals("Success!", message("create-group " + a + " g"));
    assertEquals(refused, message("send-group " + a + " g " + "s".repeat(4097)));
    assertEquals("Success!", message("post " + a + " " + "p".repeat(4096)));
    assertEquals("Success!", message("send " + a + " b " + "s".repeat(4096)));
    JsonArray feed = ask("receive-post " + b).getJsonArray("post");
    assertEquals(1, feed.size());
  }

  @Test
  void postsAndGroupsPerUserAreCapped() throws Exception {
    start(Map.of("limits.maxPostsPerUser", "3", "limits.maxGroupsPerUser", "2"));
    String a = login("a");
    for (int i = 0; i < 3; i++) {
      assertEquals("Success!", message("post " + a + " post " + i));
    }
    assertEquals("Too many posts (at most 3)", message("post " + a + " one more"));
    assertEquals("Success!", message("create-group " + a + " g1"));
    assertEquals("Success!", message("create-group " + a + " g2"));
    assertEquals("g1 already exist", message("create-group " + a + " g1"));
    assertEquals("Too many groups created (at most 2)", message("create-group " + a + " g3"));
    String b = login("b");
    assertEquals("Success!", message("create-group " + b + " g3"), "the quota is per user");
    assertEquals("Success!", message("join-group " + a + " g3"), "joining is not creating");
  }

  @Test
  void receivePostKeepsTheNewestPostsInTheProtocolOrder() throws Exception {
    start(Map.of("limits.maxFeedPosts", "3"));
    String a = login("a");
    String b = login("b");
    String c = login("c");
    befriend(b, "a", a, "b"); // a accepted b: b comes first in a's friends
    befriend(a, "c", c, "a");
    for (String[] p : new String[][] {{c, "c1"}, {b, "b1"}, {c, "c2"}, {b, "b2"}, {b, "b3"}}) {
      assertEquals("Success!", message("post " + p[0] + " " + p[1]));
    }
    // the newest three are c2, b2, b3; printed friend by friend, each friend's oldest first
    assertEquals(new JsonArray().add(post("b", "b2")).add(post("b", "b3")).add(post("c", "c2")),
        ask("receive-post " + a).getJsonArray("post"));
  }

  private static JsonObject post(String id, String message) {
    return new JsonObject().put("id", id).put("message", message);
  }

  @Test
  void limitsSetOnTheLoginRoleReachApplicationInstancesInChildProcesses() throws Exception {
    start(Map.of("fleet.provider", "local", "limits.maxPostsPerUser", "1"));
    String a = login("a");
    assertEquals("Success!", message("post " + a + " one"));
    assertEquals("Too many posts (at most 1)", message("post " + a + " two"));
  }

  @Test
  void writesBeyondTheRateAreRefusedAndReadsAreNot() throws Exception {
    start(Map.of("limits.writeBurst", "4", "limits.writesPerSecond", "1"));
    String a = login("a");
    String b = login("b");
    befriend(a, "b", b, "a");
    long begin = System.nanoTime();
    // the burst: one bucket for every kind of write
    assertEquals("Success!", message("create-group " + a + " g"));
    assertEquals("Success!", message("post " + a + " one"));
    assertEquals("Success!", message("send " + a + " b two"));
    assertEquals("Success!", message("send-group " + a + " g three"));
    int passed = 4;
    int refused = 0;
    for (int i = 0; i < 20 && refused == 0; i++) {
      String answer = message("post " + a + " more " + i);
      if (answer.equals(TOO_MANY_REQUESTS)) {
        refused++;
      } else {
        assertEquals("Success!", answer);
        passed++;
      }
    }
    long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - begin);
    assertEquals(1, refused, "a write beyond the burst was refused");
    assertTrue(passed <= 4 + seconds + 1, passed + " writes passed in " + seconds + " s");
    assertEquals(new JsonArray().add("b"), ask("list-friend " + a).getJsonArray("friend"), "reads are not limited");
    assertEquals("Success!", message("post " + b + " b has writes of its own"));
  }
}
