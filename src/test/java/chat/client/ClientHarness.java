package chat.client;

import chat.wire.ClientTls;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The real client on its own thread, typed into line by line, its standard output collected. */
final class ClientHarness {
  private final ByteArrayOutputStream printed = new ByteArrayOutputStream();
  private final PipedOutputStream typing = new PipedOutputStream();
  private final Thread running;

  ClientHarness(int loginPort) throws IOException {
    this(loginPort, ClientTls.plain());
  }

  ClientHarness(int loginPort, ClientTls tls) throws IOException {
    this(new LoginServers(List.of(new InetSocketAddress("127.0.0.1", loginPort))), tls);
  }

  /** A client of several login servers, given as the command line gives them ({@code HOST:PORT,...}). */
  ClientHarness(String loginServers) throws IOException {
    this(LoginServers.parse(loginServers, null), ClientTls.plain());
  }

  private ClientHarness(LoginServers login, ClientTls tls) throws IOException {
    PipedInputStream stdin = new PipedInputStream(typing, 1 << 16);
    ChatClient client = new ChatClient(login, tls, new PrintStream(printed, true, StandardCharsets.UTF_8));
    running = new Thread(() -> {
      try {
        client.run(stdin);
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }, "client");
    running.start();
  }

  void type(String... lines) throws IOException {
    for (String line : lines) {
      typing.write((line + "\n").getBytes(StandardCharsets.UTF_8));
    }
    typing.flush();
  }

  /** Waits until the client has printed {@code count} lines. */
  void awaitLines(int count, long millis) throws InterruptedException {
    long deadline = System.currentTimeMillis() + millis;
    while (lines().size() < count && System.currentTimeMillis() < deadline) {
      Thread.sleep(50);
    }
    assertTrue(lines().size() >= count, printed.toString(StandardCharsets.UTF_8));
  }

  /** Types {@code exit} and waits for the client to end; returns everything it printed. */
  List<String> exit(long millis) throws Exception {
    type("exit");
    running.join(millis);
    assertFalse(running.isAlive(), "the client ended");
    return lines();
  }

  List<String> lines() {
    return printed.toString(StandardCharsets.UTF_8).lines().toList();
  }
}
