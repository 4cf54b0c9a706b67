package chat.protocol;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** The priority of checks of PROTOCOL.md section 4, case by case, with no I/O. */
class RulesTest {

  private static String early(String text) {
    JsonObject r = Rules.beforeToken(Request.parse(text));
    return r == null ? null : r.getString("message");
  }

  private static String usage(String text) {
    JsonObject r = Rules.usage(Request.parse(text));
    return r == null ? null : r.getString("message");
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(delimiter = '|', value = {
      "reg a a|Unknown command reg",
      "exi|Unknown command exi",
      "logi a a|Unknown command logi",
      "receive-p a|Unknown command receive-p",
      "REGISTER a b|Unknown command REGISTER",
      "register|Usage: register <username> <password>",
      "register a|Usage: register <username> <password>",
      "register a b c|Usage: register <username> <password>",
      "login|Usage: login <id> <password>",
      "login a b c|Usage: login <id> <password>",
      "logout|Not login yet",
      "delete|Not login yet",
      "invite|Not login yet",
      "list-invite|Not login yet",
      "accept-invite|Not login yet",
      "list-friend|Not login yet",
      "post|Not login yet",
      "receive-post|Not login yet",
      "send|Not login yet",
      "create-group|Not login yet",
      "list-group|Not login yet",
      "list-joined|Not login yet",
      "join-group|Not login yet",
      "send-group|Not login yet",
  })
  void unknownWordsThenMissingTokensThenLoginUsage(String text, String expected) {
    assertEquals(expected, early(text));
  }

  @Test
  void emptyRequestIsNamed() {
    assertEquals(Messages.EMPTY_REQUEST, early("   "));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "register a b", "login a b", "logout t", "invite t x", "send t x m", "post t m"})
  void wellFormedRequestsPassTheEarlyChecks(String text) {
    assertNull(early(text));
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(delimiter = '|', value = {
      "logout t a|Usage: logout <user>",
      "delete t a|Usage: delete <user>",
      "invite t|Usage: invite <user> <id>",
      "invite t a b|Usage: invite <user> <id>",
      "list-invite t a|Usage: list-invite <user>",
      "accept-invite t|Usage: accept-invite <user> <id>",
      "accept-invite t a b|Usage: accept-invite <user> <id>",
      "list-friend t a|Usage: list-friend <user>",
      "post t|Usage: post <user> <message>",
      "receive-post t a|Usage: receive-post <user>",
      "send t|Usage: send <user> <friend> <message>",
      "send t a|Usage: send <user> <friend> <message>",
      "create-group t|Usage: create-group <user> <group>",
      "create-group t a a|Usage: create-group <user> <group>",
      "list-group t abc|Usage: list-group <user>",
      "list-joined t a|Usage: list-joined <user>",
      "join-group t|Usage: join-group <user> <group>",
      "join-group t a a|Usage: join-group <user> <group>",
      "send-group t a|Usage: send-group <user> <group> <message>",
  })
  void usageComesAfterTheToken(String text, String expected) {
    assertEquals(expected, usage(text));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "logout t", "delete t", "invite t a", "list-invite t", "accept-invite t a", "list-friend t",
      "post t hello", "post t hello there", "receive-post t", "send t a hi", "send t a hi you",
      "create-group t g", "list-group t", "list-joined t", "join-group t g", "send-group t g hi all"})
  void rightArgumentCountsPass(String text) {
    assertNull(usage(text));
  }

  @Test
  void registerRefusesAUsedName() {
    assertEquals("bob is already used", Rules.register("bob", true));
    assertNull(Rules.register("bob", false));
  }

  @Test
  void inviteChecksInOrder() {
    // every later condition true as well: the first one must win
    assertEquals("You cannot invite yourself", Rules.invite("a", "a", true, true, true, true));
    assertEquals("b does not exist", Rules.invite("a", "b", false, true, true, true));
    assertEquals("b is already your friend", Rules.invite("a", "b", true, true, true, true));
    assertEquals("Already invited", Rules.invite("a", "b", true, false, true, true));
    assertEquals("b has invited you", Rules.invite("a", "b", true, false, false, true));
    assertNull(Rules.invite("a", "b", true, false, false, false));
  }

  @Test
  void acceptInviteNeedsAnInvitation() {
    assertEquals("b did not invite you", Rules.acceptInvite("b", false));
    assertNull(Rules.acceptInvite("b", true));
  }

  @Test
  void sendChecksInOrder() {
    assertEquals("No such user exist", Rules.send("b", false, true, true));
    assertEquals("b is not your friend", Rules.send("b", true, false, false));
    assertEquals("b is not online", Rules.send("b", true, true, false));
    assertNull(Rules.send("b", true, true, true));
  }

  @Test
  void groupChecksInOrder() {
    assertEquals("g already exist", Rules.createGroup("g", true));
    assertNull(Rules.createGroup("g", false));
    assertEquals("g does not exist", Rules.joinGroup("g", false, true));
    assertEquals("Already a member of g", Rules.joinGroup("g", true, true));
    assertNull(Rules.joinGroup("g", true, false));
    assertEquals("No such group exist", Rules.sendGroup("g", false, false));
    assertEquals("You are not the member of g", Rules.sendGroup("g", true, false));
    assertNull(Rules.sendGroup("g", true, true));
  }

  @Test
  void overlongNamesAreRefused() {
    String longName = "x".repeat(Rules.MAX_NAME + 1);
    assertEquals(Messages.NAME_TOO_LONG, Rules.register(longName, false));
    assertEquals(Messages.NAME_TOO_LONG, Rules.createGroup(longName, false));
  }

  @Test
  void messagesKeepWordsJoinedBySingleSpaces() {
    Request r = Request.parse("send  tok   bob  hello    big   world ");
    assertEquals("bob", r.arg(0));
    assertEquals("hello big world", r.rest(1));
    assertEquals("send T bob hello big world", r.text("T"));
  }

  @Test
  void aNewPasswordShorterThanTheMinimumIsRefused() {
    assertEquals("Password too short (at least 8 characters)", Rules.password("1234567", 8));
    assertNull(Rules.password("12345678", 8));
    assertEquals("Password too short (at least 3 characters)", Rules.password("\uD83D\uDD11\uD83D\uDD11", 3),
        "characters, not UTF-16 units");
    assertNull(Rules.password("p", 0), "0: any length");
  }
}
