package chat.client;

import chat.ChatServer;
import chat.support.TestServers;
import chat.support.Wire;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

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
  private final Vertx vertx = Vertx.vertx();
  private ChatServer server;

  @AfterEach
  void tearDown() throws Exception {
    if (server != null) {
      server.close().await(30, TimeUnit.SECONDS);
    }
    vertx.close().await(30, TimeUnit.SECONDS);
  }

  private String ask(String text) throws Exception {
    return Wire.reference(server.loginPort(), text).getString("message");
  }

  @Test
  void controlsAndBidiFromAnotherUserPrintAsEscapesOnOneLineEach() throws Exception {
    server = TestServers.start(vertx, data).await(60, TimeUnit.SECONDS);
    assertEquals("Success!", ask("register mallory pm"));
    JsonObject login = Wire.reference(server.loginPort(), "login mallory pm");
    String mallory = login.getString("token");

    ClientHarness bob = new ClientHarness(server.loginPort());
    bob.type("register bob pb", "login bob pb");
    bob.awaitLines(2, 30_000);
    assertEquals("Success!", ask("invite " + mallory + " bob"));
    assertEquals("Success!", ask("create-group " + mallory + " team"));
    bob.type("accept-invite bob mallory", "join-group bob team");
    bob.awaitLines(4, 30_000);

    assertEquals("Success!", ask("send " + mallory + " bob " + EVIL));
    assertEquals("Success!", ask("send-group " + mallory + " team " + EVIL));
    bob.awaitLines(6, 30_000);
    assertEquals("Success!", ask("post " + mallory + " " + EVIL));
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
