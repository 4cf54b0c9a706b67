package chat.client;

import chat.support.RunningService;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The client as its own process, as {@code launcher/client} starts it: through pipes it prints
 * only the protocol's lines, whatever TERM says; in a real pseudo-terminal (made by
 * {@code script}) it is the interactive client.
 */
class ClientProcessTest {
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
  void throughPipesTheClientPrintsOnlyTheProtocolLinesAndKeepsNoHistory() throws Exception {
    Path state = dir.resolve("piped-state");
    ProcessBuilder pb = new ProcessBuilder(client("127.0.0.1", String.valueOf(service.loginPort())));
    pb.environment().put("TERM", "xterm-256color");
    pb.environment().put("XDG_STATE_HOME", state.toString());
    Process p = pb.redirectError(ProcessBuilder.Redirect.DISCARD).start();
    try (OutputStream in = p.getOutputStream()) {
      in.write("register ivan pi\nlogin ivan pi\nhelp\nlist-friend ivan\nsend ivan nobody hi\nexit\n"
          .getBytes(StandardCharsets.UTF_8));
    }
    byte[] out = p.getInputStream().readAllBytes();
    assertTrue(p.waitFor(60, TimeUnit.SECONDS));

    assertEquals(0, p.exitValue());
    // byte for byte: no prompt, no escape, help is a command like any other word
    assertEquals("Success!\nSuccess!\nUnknown command help\nNo friends\nNo such user exist\n",
        new String(out, StandardCharsets.UTF_8));
    assertFalse(Files.exists(state), "a piped client kept history");
  }

  @Test
  void aClientThatLeavesWithUsersLoggedInSaysNothingOnStandardError() throws Exception {
    Process p = new ProcessBuilder(client("127.0.0.1", String.valueOf(service.loginPort()))).start();
    try (OutputStream in = p.getOutputStream()) {
      in.write("register olga pw\nlogin olga pw\nregister pavel pw\nlogin pavel pw\nexit\n"
          .getBytes(StandardCharsets.UTF_8));
    }
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(60, TimeUnit.SECONDS));
    assertEquals(0, p.exitValue(), err);
    assertEquals("Success!\nSuccess!\nSuccess!\nSuccess!\n", out);
    assertEquals("", err);
  }

  @Test
  void helpDescribesEveryArgumentAndAMissingPortIsAClearError() throws Exception {
    Process help = new ProcessBuilder(client("--help")).redirectErrorStream(true).start();
    String text = new String(help.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(help.waitFor(60, TimeUnit.SECONDS));
    assertEquals(0, help.exitValue(), text);
    for (String part : List.of("usage: client [options] IP [PORT]", "IP", "PORT", "--tls", "--ca <FILE>", "--plain", "--history <FILE>", "--help")) {
      assertTrue(text.contains(part), part + " missing from:\n" + text);
    }

    Process wrong = new ProcessBuilder(client("127.0.0.1")).redirectErrorStream(true).start();
    text = new String(wrong.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(wrong.waitFor(60, TimeUnit.SECONDS));
    assertEquals(2, wrong.exitValue(), text);
    assertTrue(text.contains("a login server is HOST:PORT, not '127.0.0.1'"), text);
  }

  @Test
  void inARealTerminalTheClientPromptsMasksThePasswordAndKeepsHistory() throws Exception {
    Path state = dir.resolve("pty-state");
    List<String> command = new ArrayList<>(List.of("script", "-qfec"));
    // a pseudo-terminal made from a pipe has no size: give it one, as a terminal window has
    command.add("stty cols 100 rows 30; exec " + String.join(" ",
        client("127.0.0.1", String.valueOf(service.loginPort())).stream().map(ClientProcessTest::quoted).toList()));
    command.add("/dev/null");
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
    pb.environment().put("TERM", "xterm-256color");
    pb.environment().put("XDG_STATE_HOME", state.toString());
    Process p = pb.start();
    Screen screen = new Screen(p.getInputStream());
    try (OutputStream keys = p.getOutputStream()) {
      screen.await("chat> ");
      keys.write("register kim pk\r".getBytes(StandardCharsets.UTF_8));
      keys.flush();
      screen.await("Success!");
      keys.write("login kim pk\r".getBytes(StandardCharsets.UTF_8));
      keys.flush();
      screen.await("kim> ");
      keys.write("exit\r".getBytes(StandardCharsets.UTF_8));
      keys.flush();
      assertTrue(p.waitFor(60, TimeUnit.SECONDS), screen.text());
    } finally {
      p.destroy();
    }
    assertEquals(0, p.exitValue(), screen.text());
    assertTrue(screen.text().contains("register kim **"), screen.text());
    assertFalse(screen.text().contains("pk"), "the password was shown: " + screen.text());
    String kept = Files.readString(state.resolve("chat").resolve("history"));
    assertTrue(kept.contains(":register kim\n") && kept.contains(":login kim\n"), kept);
    assertFalse(kept.contains("pk"), kept);
  }

  /** The command that starts the client, as launcher/client does, on the test's class path. */
  private static List<String> client(String... args) {
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), "chat.client.ChatClient"));
    cmd.addAll(List.of(args));
    return cmd;
  }

  private static String quoted(String word) {
    return "'" + word.replace("'", "'\\''") + "'";
  }

  /** What a process wrote, collected as it comes. */
  private static final class Screen {
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

    Screen(InputStream from) {
      Thread reader = new Thread(() -> {
        byte[] buffer = new byte[4096];
        try {
          for (int n; (n = from.read(buffer)) >= 0; ) {
            synchronized (bytes) {
              bytes.write(buffer, 0, n);
            }
          }
        } catch (IOException closed) {
          // the process ended
        }
      }, "pty-reader");
      reader.setDaemon(true);
      reader.start();
    }

    /** The text written, terminal control sequences (CSI and the keypad switches) left out. */
    String text() {
      synchronized (bytes) {
        return bytes.toString(StandardCharsets.UTF_8).replaceAll("\u001b(\\[[0-9;?]*[A-Za-z]|[=>])", "");
      }
    }

    void await(String shown) throws InterruptedException {
      long deadline = System.currentTimeMillis() + 60_000;
      while (!text().contains(shown)) {
        if (System.currentTimeMillis() > deadline) {
          throw new AssertionError("never shown: " + shown + "\n" + text());
        }
        Thread.sleep(20);
      }
    }
  }
}
