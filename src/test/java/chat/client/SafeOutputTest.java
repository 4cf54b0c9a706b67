package chat.client;

import chat.support.RunningService;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A user who sends terminal controls, bidi overrides and line separators to another user:
 * the other user's real client prints them as visible escapes, every delivery on one line
 * that starts with the real sender.
 */
class SafeOutputTest {
  /** The attack: erase the line, go back to its start and print a forged group message. */
  private static final String EVIL = "hi\u001b[2K\r<<<alice->GROUP<team>: pay the invoice>>>"
      + "\u0007 \u202egnp.exe \u2028<<<alice->bob: x>>> \u0085<<<alice->bob: y>>> \u009b2J end";
  /** The same text as the client must print it (the server reads the CR as a word break). */
  private static final String SHOWN = "hi\\x1b[2K <<<alice->GROUP<team>: pay the invoice>>>"
      + "\\x07 \\u202egnp.exe \\u2028<<<alice->bob: x>>> \\x85<<<alice->bob: y>>> \\x9b2J end";

  @TempDir
  Path data;
  @AutoClose
  private RunningService service;

  @Test
  void controlsAndBidiFromAnotherUserPrintAsEscapesOnOneLineEach() throws Exception {
    service = RunningService.start(data);
    assertEquals("Success!", service.message("register mallory pm"));
    String mallory = service.login("mallory", "pm");

    ClientHarness bob = new ClientHarness(service.loginPort());
    bob.type("register bob pb", "login bob pb");
    bob.awaitLines(2, 30_000);
    assertEquals("Success!", service.message("invite " + mallory + " bob"));
    assertEquals("Success!", service.message("create-group " + mallory + " team"));
    bob.type("accept-invite bob mallory", "join-group bob team");
    bob.awaitLines(4, 30_000);

    assertEquals("Success!", service.message("send " + mallory + " bob " + EVIL));
    assertEquals("Success!", service.message("send-group " + mallory + " team " + EVIL));
    bob.awaitLines(6, 30_000);
    assertEquals("Success!", service.message("post " + mallory + " " + EVIL));
    bob.type("receive-post bob", "inv\u001b]0;owned\u0007 x");
    List<String> lines = bob.exit(30_000);

    assertEquals(List.of("Success!", "Success!", "Success!", "Success!"), lines.subList(0, 4));
    // the direct and the group delivery travel on different links: either may come first
    assertEquals(List.of("<<<mallory->GROUP<team>: " + SHOWN + ">>>", "<<<mallory->bob: " + SHOWN + ">>>"),
        lines.subList(4, 6).stream().sorted().toList());
    assertEquals(List.of("mallory: " + SHOWN, "Unknown command inv\\x1b]0;owned\\x07"), lines.subList(6, 8));
    assertEquals(8, lines.size(), String.join("\n", lines));
    for (String line : lines) {
      for (char c : new char[] {'\u001b', '\u0007', '\u202e', '\u2028', '\u0085', '\u009b', '\r'}) {
        assertFalse(line.indexOf(c) >= 0, "U+" + Integer.toHexString(c) + " printed raw in: " + line);
      }
      assertFalse(line.startsWith("<<<alice"), "a forged line: " + line);
      assertTrue(!line.startsWith("<<<") || line.startsWith("<<<mallory->"), line);
    }
  }
}
