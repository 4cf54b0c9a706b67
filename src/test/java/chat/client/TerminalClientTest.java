package chat.client;

import chat.support.RunningService;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.regex.Pattern;

import static chat.client.TerminalHarness.BACKSPACE;
import static chat.client.TerminalHarness.CTRL_A;
import static chat.client.TerminalHarness.CTRL_D;
import static chat.client.TerminalHarness.CTRL_E;
import static chat.client.TerminalHarness.CTRL_K;
import static chat.client.TerminalHarness.CTRL_F;
import static chat.client.TerminalHarness.ENTER;
import static chat.client.TerminalHarness.TAB;
import static chat.client.TerminalHarness.UP;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The client as a person uses it in a terminal, against the real service: keys typed into
 * JLine's terminal, the screen read back through a terminal emulator.
 */
class TerminalClientTest {
  /** Any SGR (colour) sequence, to find what the client coloured. */
  private static final String SGR = "\u001b\\[[0-9;]*m";

  @TempDir
  static Path dir;
  private static RunningService service;

  @BeforeAll
  static void startService() throws Exception {
    service = RunningService.start(dir.resolve("data"));
  }

  @AfterAll
  static void stopService() throws Exception {
    service.close();
  }

  @Test
  void editingKeysChangeTheLineBeforeItIsSentAndPasswordsShowAsStars() throws Exception {
    try (TerminalHarness t = new TerminalHarness(service.loginPort(), dir.resolve("edit-history"))) {
      t.awaitTyping("chat>");
      // a letter put in at the start of the line, then a stray one rubbed out at its end
      t.type("regiter carol", CTRL_A, CTRL_F, CTRL_F, CTRL_F, CTRL_F, "s", CTRL_E, " pc", ENTER);
      t.awaitLine("Success!");
      t.type("login carol pcX", BACKSPACE, ENTER);
      t.awaitTyping("carol>");

      List<String> screen = t.screen();
      assertEquals(List.of("chat> register carol **", "Success!", "chat> login carol **", "Success!", "carol>"), screen);
      assertFalse(t.raw().contains("pc"), "a password reached the screen");
      t.type("exit", ENTER);
      assertEquals(0, t.awaitEnd(30_000));
    }
  }

  @Test
  void tabCompletesCommandsTheUsersLoggedInHereAndTheNamesSeen() throws Exception {
    assertEquals("Success!", service.message("register olga po"));
    try (TerminalHarness t = new TerminalHarness(service.loginPort(), dir.resolve("tab-history"))) {
      t.awaitTyping("chat>");
      t.type("reg", TAB);
      t.awaitTyping("chat> register");
      t.type("dave pd", ENTER);
      t.awaitLine("Success!");
      t.type("logi", TAB, "da", TAB, "pd", ENTER);
      t.awaitTyping("dave>");
      // olga is unknown here until a reply names her
      t.type("invite ", TAB, "olga", ENTER);
      t.await("three successes", s -> s.stream().filter("Success!"::equals).count() == 3, 30_000);
      t.type("send-gr", TAB, TAB);
      t.awaitTyping("dave> send-group dave");
      t.type(CTRL_A, CTRL_K, "send d", TAB, "o", TAB, "hi", ENTER);

      List<String> screen = t.awaitLine("olga is not your friend");
      assertTrue(screen.contains("dave> invite dave olga"), String.join("\n", screen));
      assertTrue(screen.contains("dave> send dave olga hi"), String.join("\n", screen));
    }
  }

  @Test
  void upRecallsEarlierLinesAndTheHistoryFileKeepsThemWithoutPasswords() throws Exception {
    assertEquals("Success!", service.message("register erin pe"));
    Path history = dir.resolve("state").resolve("chat").resolve("history");
    try (TerminalHarness t = new TerminalHarness(service.loginPort(), history)) {
      t.awaitTyping("chat>");
      t.type("login erin pe", ENTER);
      t.awaitTyping("erin>");
      t.type("list-friend erin", ENTER);
      t.awaitTyping("erin>");
      t.type(UP);
      t.awaitTyping("erin> list-friend erin");
      t.type(ENTER);
      t.await("two answers", s -> s.stream().filter("No friends"::equals).count() == 2, 30_000);
      t.type("exit", ENTER);
      assertEquals(0, t.awaitEnd(30_000));
    }
    String kept = Files.readString(history);
    assertTrue(kept.contains("login erin\n"), kept);
    assertTrue(kept.contains("list-friend erin\n"), kept);
    assertFalse(kept.contains("pe\n"), "the password was kept: " + kept);
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(history)));
    assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(history.getParent())));

    // a new client recalls them: exit, list-friend erin, then the login, which asks for the password again
    try (TerminalHarness t = new TerminalHarness(service.loginPort(), history)) {
      t.awaitTyping("chat>");
      t.type(UP, UP, UP);
      t.awaitTyping("chat> login erin");
      t.type(" pe", ENTER);
      t.awaitTyping("erin>");
      t.type(CTRL_D);
      assertEquals(0, t.awaitEnd(30_000));
    }
  }

  @Test
  void aDeliveryIsPrintedInColourAboveTheHalfTypedLineWhichStaysWhole() throws Exception {
    for (String user : List.of("frank", "gina", "hank")) {
      assertEquals("Success!", service.message("register " + user + " p" + user));
    }
    String frank = service.login("frank", "pfrank");
    String hank = service.login("hank", "phank");
    assertEquals("Success!", service.message("invite " + frank + " gina"));
    assertEquals("Success!", service.message("invite " + hank + " frank"));
    assertEquals("Success!", service.message("accept-invite " + frank + " hank"));
    try (TerminalHarness t = new TerminalHarness(service.loginPort(), dir.resolve("delivery-history"))) {
      t.awaitTyping("chat>");
      t.type("login gina pgina", ENTER);
      t.awaitTyping("gina>");
      t.type("accept-invite gina frank", ENTER, "login frank pfrank", ENTER);
      t.awaitTyping("frank,gina>");
      t.type("send frank gina hel");
      t.awaitTyping("frank,gina> send frank gina hel");

      assertEquals("Success!", service.message("send " + hank + " frank ping \u001b[31mred\u001b]0;owned\u0007"));
      List<String> screen = t.awaitLine("<<<hank->frank: ping \\x1b[31mred\\x1b]0;owned\\x07>>>");
      assertEquals("frank,gina> send frank gina hel", screen.get(screen.size() - 1));
      assertEquals("<<<hank->frank: ping \\x1b[31mred\\x1b]0;owned\\x07>>>", screen.get(screen.size() - 2));
      assertTrue(Pattern.compile(SGR + "<<<hank->frank: ping").matcher(t.raw()).find(), "the delivery is coloured");
      assertFalse(t.raw().contains("\u001b[31mred") || t.raw().contains("\u001b]0;owned"),
          "a sequence sent by another user reached the terminal");

      t.type("lo", ENTER);
      screen = t.awaitLine("<<<frank->gina: hello>>>");
      assertTrue(screen.contains("frank,gina> send frank gina hello"), String.join("\n", screen));
    }
  }

  @Test
  void helpListsTheCommandsAndErrorsAreRed() throws Exception {
    try (TerminalHarness t = new TerminalHarness(service.loginPort(), dir.resolve("help-history"))) {
      t.awaitTyping("chat>");
      t.type("help", ENTER);
      t.awaitLine("  send <user> <friend> <message>");
      t.type("nonsense", ENTER);
      List<String> screen = t.awaitLine("Unknown command nonsense");
      assertFalse(screen.contains("Unknown command help"), "help went to the server");
      assertTrue(Pattern.compile("\u001b\\[[0-9;]*31m" + "(" + SGR + ")*Unknown command nonsense").matcher(t.raw()).find(),
          "the error is red: " + t.raw());
    }
  }
}
