package chat.client;

import chat.wire.ClientTls;
import org.jline.builtins.ScreenTerminal;
import org.jline.terminal.Size;
import org.jline.terminal.Terminal;
import org.jline.terminal.impl.ExternalTerminal;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The real client in a terminal: JLine's terminal over pipes, typed into key by key as a
 * person types (an xterm's keys), and what it wrote rendered by a VT100 screen, so a test
 * sees the screen a person would see.
 */
final class TerminalHarness implements AutoCloseable {
  static final String ENTER = "\r";
  static final String TAB = "\t";
  /** What an xterm sends for Up once the line reader has put it in keypad mode. */
  static final String UP = "\u001bOA";
  static final String CTRL_A = "\u0001";
  static final String CTRL_D = "\u0004";
  static final String CTRL_E = "\u0005";
  static final String CTRL_F = "\u0006";
  static final String CTRL_K = "\u000b";
  static final String BACKSPACE = "\u007f";
  static final int COLUMNS = 100;
  static final int ROWS = 30;

  private final PipedOutputStream keys = new PipedOutputStream();
  private final ByteArrayOutputStream written = new ByteArrayOutputStream();
  private final Terminal terminal;
  private final Thread running;
  private final AtomicInteger status = new AtomicInteger(-1);

  /** A client of the login server on {@code loginPort} keeping its history in {@code history}. */
  TerminalHarness(int loginPort, Path history) throws IOException {
    PipedInputStream in = new PipedInputStream(keys, 1 << 16);
    OutputStream out = new OutputStream() {
      @Override
      public void write(int b) {
        synchronized (written) {
          written.write(b);
        }
      }

      @Override
      public void write(byte[] b, int off, int len) {
        synchronized (written) {
          written.write(b, off, len);
        }
      }
    };
    terminal = new ExternalTerminal("test", "xterm-256color", in, out, StandardCharsets.UTF_8);
    terminal.setSize(new Size(COLUMNS, ROWS));
    Shell shell = new Shell(terminal, true);
    LoginServers login = new LoginServers(java.util.List.of(new InetSocketAddress("127.0.0.1", loginPort)));
    running = new Thread(() -> {
      try {
        status.set(shell.run(output -> new ChatClient(login, ClientTls.plain(), output), history));
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }, "terminal-client");
    running.start();
  }

  /** Types keys, as they are. */
  void type(String... typed) throws IOException {
    for (String k : typed) {
      keys.write(k.getBytes(StandardCharsets.UTF_8));
    }
    keys.flush();
  }

  /** Everything the client wrote to the terminal, escapes included. */
  String raw() {
    synchronized (written) {
      return written.toString(StandardCharsets.UTF_8);
    }
  }

  /** The screen's lines as a person sees them, trailing blanks cut, blank lines at the end left out. */
  List<String> screen() {
    ScreenTerminal screen = new ScreenTerminal(COLUMNS, ROWS);
    // the line discipline sends LF as CR LF, as a real terminal's does
    screen.write(raw());
    List<String> lines = Arrays.stream(screen.toString().split("\n", -1)).map(String::stripTrailing).toList();
    int end = lines.size();
    while (end > 0 && lines.get(end - 1).isEmpty()) {
      end--;
    }
    return lines.subList(0, end);
  }

  /** The screen's last line: where the prompt and the line being typed are. */
  String lastLine() {
    List<String> lines = screen();
    return lines.isEmpty() ? "" : lines.get(lines.size() - 1);
  }

  /** Waits until the screen shows what {@code seen} wants. */
  List<String> await(String what, Predicate<List<String>> seen, long millis) throws InterruptedException {
    long deadline = System.currentTimeMillis() + millis;
    while (!seen.test(screen())) {
      if (System.currentTimeMillis() > deadline) {
        throw new AssertionError("the screen never showed " + what + ":\n" + String.join("\n", screen()));
      }
      Thread.sleep(20);
    }
    return screen();
  }

  /** Waits until some line of the screen is {@code line}. */
  List<String> awaitLine(String line) throws InterruptedException {
    return await("the line '" + line + "'", s -> s.contains(line), 30_000);
  }

  /** Waits until the last line, the one being typed, is {@code line}. */
  void awaitTyping(String line) throws InterruptedException {
    await("'" + line + "' being typed", s -> !s.isEmpty() && s.get(s.size() - 1).equals(line), 30_000);
  }

  /** Waits for the client to end (after {@code exit} or Ctrl-D), and returns its status. */
  int awaitEnd(long millis) throws InterruptedException {
    running.join(millis);
    assertFalse(running.isAlive(), "the client ended");
    return status.get();
  }

  @Override
  public void close() throws Exception {
    if (running.isAlive()) {
      type(CTRL_A, CTRL_K, CTRL_D);
      running.join(30_000);
    }
    terminal.close();
    assertTrue(!running.isAlive(), "the client ended");
  }
}
