package chat.protocol;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.params.provider.Arguments.arguments;

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
    assertEquals("bob is already used", Rules.register("bob", true, Limits.DEFAULTS));
    assertNull(Rules.register("bob", false, Limits.DEFAULTS));
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
    assertEquals("g already exist", Rules.createGroup("g", true, 0, Limits.DEFAULTS));
    assertNull(Rules.createGroup("g", false, 0, Limits.DEFAULTS));
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
    assertEquals(Messages.NAME_TOO_LONG, Rules.register(longName, false, Limits.DEFAULTS));
    assertEquals(Messages.NAME_TOO_LONG, Rules.createGroup(longName, false, 0, Limits.DEFAULTS));
    assertEquals(Messages.NAME_TOO_LONG, Rules.register(longName, false, Limits.NONE), "the store's bound stays");
  }

  private static final String INVALID = "Invalid name: use letters, digits, _ - . (at most 32)";

  /** Every name the reference suites and the project's cases register or create, and more. */
  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {
      "a", "amy", "DeMo_user12", "t3_userA_test", "test_exit", "hw4_group", "multi10", "tmp_user", "testA",
      "7", "ab.c-d_e", "x.y", "bob-2", "01234567890123456789012345678901",
      "José", "Zoë", "Ærøskøbing", "Łódź", "İstanbul", "straße",
      "张伟", "山田たろう", "ラーメン", "田中タロウ", "Tokyo東京", "김민준", "Seoul서울", "ㄅㄆㄇ中文",
      "Ελένη", "Дмитрий", "שלום", "مرحبا", "देवनागरी", "สวัสดี", "\uD840\uDC00\uD840\uDC01"})
  void namesOfLettersDigitsAndUnderscoreDashDotPass(String name) {
    assertNull(Rules.register(name, false, Limits.DEFAULTS));
    assertNull(Rules.createGroup(name, false, 0, Limits.DEFAULTS));
  }

  /** The code points of a name in hexadecimal (text could hide them), then why it is refused. */
  @ParameterizedTest(name = "{1}")
  @CsvSource(delimiter = '|', value = {
      "61 A0 62|no-break space",
      "61 3000 62|ideographic space",
      "61 200B 62|zero-width space",
      "61 200D 62|zero-width joiner",
      "61 FEFF 62|byte order mark",
      "61 AD 62|soft hyphen",
      "61 202E 62|right-to-left override",
      "61 2066 62|left-to-right isolate",
      "61 200F 62|right-to-left mark",
      "61 7 62|BEL",
      "61 1B 62|ESC",
      "61 7F 62|DEL",
      "61 85 62|NEL",
      "61 2028 62|line separator",
      "61 2F 62|slash",
      "61 40 62|at sign",
      "61 3A 62|colon",
      "3C 61 3E|angle brackets",
      "61 27 62|apostrophe",
      "61 22 62|quote",
      "61 5C 62|backslash",
      "61 2B 62|plus",
      "61 2BC 62|modifier letter apostrophe",
      "61 B7 62|middle dot",
      "61 1F600|emoji",
      "61 D800|lone surrogate",
      "65 301|e and a combining accent: not NFC",
      "61 335|combining overlay on a Latin letter",
      "301 61|a mark on nothing",
      "61 93F|a Devanagari mark on a Latin letter",
      "FF41 FF42|fullwidth letters",
      "1D41A 64 6D 69 6E|mathematical bold letter",
      "FB01 6C 65|ligature",
      "78 B2|superscript two",
      "2160|roman numeral",
      "661 662|Arabic-Indic digits",
      "70 430 79 70 61 6C|Latin with one Cyrillic letter",
      "61 3B1|Latin with Greek",
      "5F 5F 5F|no letter or digit",
      "2E|only a dot",
      "2D|only a dash",
  })
  void namesOutsideTheSafeSetAreRefused(String codePoints, String why) {
    StringBuilder name = new StringBuilder();
    for (String hex : codePoints.split(" ")) {
      name.appendCodePoint(Integer.parseInt(hex, 16));
    }
    assertEquals(INVALID, Rules.register(name.toString(), false, Limits.DEFAULTS), why);
    assertEquals(INVALID, Rules.createGroup(name.toString(), false, 0, Limits.DEFAULTS), why);
  }

  /** A name, the limits it is registered under, and the answer: null when it passes. */
  static Stream<Arguments> nameLengthIsASettingCountedInCharacters() {
    Limits eight = withNames(8, true);
    Limits storeBound = withNames(0, true);
    return Stream.of(
        arguments("x".repeat(32), Limits.DEFAULTS, null),
        arguments("x".repeat(33), Limits.DEFAULTS, Messages.NAME_TOO_LONG),
        arguments("中".repeat(33), Limits.DEFAULTS, Messages.NAME_TOO_LONG),
        // 32 characters beyond U+FFFF are 64 chars in Java
        arguments("\uD840\uDC00".repeat(32), Limits.DEFAULTS, null),
        arguments("x".repeat(8), eight, null),
        arguments("x".repeat(9), eight, Messages.NAME_TOO_LONG),
        arguments("a@b", eight, "Invalid name: use letters, digits, _ - . (at most 8)"),
        arguments("x".repeat(Rules.MAX_NAME), storeBound, null),
        arguments("a@b", storeBound, "Invalid name: use letters, digits, _ - . (at most 256)"),
        // never beyond the store's bound
        arguments("x".repeat(Rules.MAX_NAME + 1), withNames(1000, true), Messages.NAME_TOO_LONG));
  }

  @ParameterizedTest(name = "{index} -> {2}")
  @MethodSource
  void nameLengthIsASettingCountedInCharacters(String name, Limits limits, String expected) {
    assertEquals(expected, Rules.register(name, false, limits));
  }

  @Test
  void safeNamesCanBeTurnedOff() {
    Limits off = withNames(32, false);
    assertNull(Rules.register("a@b\u200b", false, off));
    assertNull(Rules.createGroup("g:1", false, 0, off));
    assertEquals(Messages.NAME_TOO_LONG, Rules.register("@".repeat(33), false, off));
  }

  @Test
  void aTakenNameComesFirstThenLengthThenCharacters() {
    assertEquals("a@b is already used", Rules.register("a@b", true, Limits.DEFAULTS));
    assertEquals("a@b already exist", Rules.createGroup("a@b", true, 1_000, Limits.DEFAULTS));
    assertEquals(Messages.NAME_TOO_LONG, Rules.register("@".repeat(40), false, Limits.DEFAULTS));
    assertEquals(INVALID, Rules.createGroup("a@b", false, 1_000, Limits.DEFAULTS));
  }

  @ParameterizedTest(name = "{0} created, {1} -> {2}")
  @CsvSource(delimiter = '|', value = {
      "99 | DEFAULTS |",
      "100 | DEFAULTS | Too many groups created (at most 100)",
      "250 | DEFAULTS | Too many groups created (at most 100)",
      "1000000 | NONE |"})
  void groupsCreatedPerUserAreCounted(int created, String limits, String expected) {
    assertEquals(expected, Rules.createGroup("g", false, created, limits(limits)));
  }

  @ParameterizedTest(name = "{0} posted, {1} -> {2}")
  @CsvSource(delimiter = '|', value = {
      "9999 | DEFAULTS |",
      "10000 | DEFAULTS | Too many posts (at most 10000)",
      "1000000 | NONE |"})
  void postsPerUserAreCounted(int posted, String limits, String expected) {
    assertEquals(expected, Rules.post(posted, limits(limits)));
  }

  private static Limits limits(String name) {
    return name.equals("NONE") ? Limits.NONE : Limits.DEFAULTS;
  }

  private static String tooLong(String text, Limits limits) {
    JsonObject r = Rules.messageLength(Request.parse(text), limits);
    return r == null ? null : r.getString("message");
  }

  /** A request, the limits it comes under, and the answer: null when its message is not too long. */
  static Stream<Arguments> messagesOfPostSendAndSendGroupHaveAMaximumLength() {
    String max = "x".repeat(4096);
    String over = max + "x";
    String refused = "Message too long (at most 4096 characters)";
    return Stream.of(
        arguments("post t " + max, Limits.DEFAULTS, null),
        arguments("post t " + over, Limits.DEFAULTS, refused),
        arguments("send t bob " + max, Limits.DEFAULTS, null),
        arguments("send t bob " + over, Limits.DEFAULTS, refused),
        arguments("send-group t g " + over, Limits.DEFAULTS, refused),
        // words are joined by single spaces: those count, the extra ones typed do not
        arguments("post t " + "x".repeat(2048) + "   " + "x".repeat(2047), Limits.DEFAULTS, null),
        // characters, not chars
        arguments("post t " + "\uD83D\uDE00".repeat(4096), Limits.DEFAULTS, null),
        arguments("post t " + over, Limits.NONE, null),
        // not a message
        arguments("invite t " + over, Limits.DEFAULTS, null));
  }

  @ParameterizedTest(name = "{index} -> {2}")
  @MethodSource
  void messagesOfPostSendAndSendGroupHaveAMaximumLength(String text, Limits limits, String expected) {
    JsonObject r = Rules.messageLength(Request.parse(text), limits);
    assertEquals(expected, r == null ? null : r.getString("message"));
  }

  private static Limits withNames(int length, boolean safe) {
    Limits d = Limits.DEFAULTS;
    return new Limits(length, safe, d.maxMessageLength(), d.maxPostsPerUser(), d.maxGroupsPerUser(), d.maxFeedPosts(),
        d.writeBurst(), d.writesPerSecond(), d.rateTrackedUsers());
  }

  @Test
  void messagesKeepWordsJoinedBySingleSpaces() {
    Request r = Request.parse("send  tok   bob  hello    big   world ");
    assertEquals("bob", r.arg(0));
    assertEquals("hello big world", r.rest(1));
    assertEquals("send T bob hello big world", r.text("T"));
  }

  /** A new password, the minimum length (0: any), and the answer: null when it passes. */
  @ParameterizedTest(name = "{0} at least {1} -> {2}")
  @CsvSource(delimiter = '|', value = {
      "1234567 | 8 | Password too short (at least 8 characters)",
      "12345678 | 8 |",
      "\uD83D\uDD11\uD83D\uDD11 | 3 | Password too short (at least 3 characters)", // characters, not UTF-16 units
      "p | 0 |"})
  void aNewPasswordShorterThanTheMinimumIsRefused(String password, int minLength, String expected) {
    assertEquals(expected, Rules.password(password, minLength));
  }
}
