package chat.wire;

import chat.support.RunningService;
import chat.support.Wire;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Bad, huge, slow, silent, vanishing and very many clients against the real request server
 * (the login server of a whole in-process service), each case checking the exact answer and
 * that a well-behaved client beside it is still answered promptly.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class WireRobustnessTest {
  /** Low enough to test quickly, high enough that 500 sockets can all be opened before any writes. */
  private static final int FIRST_BYTE_MILLIS = 1_000;
  /** How long a well-behaved client may wait for its answer while the server is being abused. */
  private static final long PROMPT_MILLIS = 3_000;
  /** The same for a request that needs the store while 500 others queue for it. */
  private static final long BURST_MILLIS = 20_000;

  private static final String SUCCESS = "{\"status\":0,\"message\":\"Success!\"}";
  private static final String EMPTY = "{\"status\":1,\"message\":\"Empty request\"}";
  private static final String NOT_UTF8 = "{\"status\":1,\"message\":\"Request is not valid UTF-8\"}";
  private static final String TOO_LONG = "{\"status\":1,\"message\":\"Request too long\"}";

  @TempDir
  static Path data;
  @AutoClose
  private static RunningService service;
  private static int port;
  private static final AtomicInteger names = new AtomicInteger();
  /** Threads of the helper clients; never the common pool, which may have a single thread. */
  private static ExecutorService threads;

  @BeforeAll
  static void startServer() throws Exception {
    threads = Executors.newCachedThreadPool();
    // the burst below registers 500 users at once: room for all of them in the hash queue
    service = RunningService.start(data, Map.of("wire.firstByteMillis", String.valueOf(FIRST_BYTE_MILLIS),
        "passwords.hashQueue", "1000"));
    port = service.loginPort();
    assertTrue(port > 0, "login port");
  }

  /** The helper clients stop before the service does. */
  @AfterAll
  static void stopThreads() {
    if (threads != null) {
      threads.shutdownNow();
    }
  }

  // ------------------------------------------------------------------------------------------

  @Test
  void emptyRequestGetsAClearReply() throws Exception {
    // zero bytes, then a half-close: simply closed, no reply, no crash
    try (Socket s = open()) {
      s.shutdownOutput();
      assertEquals("", readToEof(s.getInputStream()));
    }
    // only whitespace: a clear error, then close
    assertEquals(EMPTY, reference("   "));
    assertEquals(EMPTY, reference(" \t  \t "));
    // whitespace, then a half-close before the quiet period: the same answer
    try (Socket s = open()) {
      s.getOutputStream().write("    ".getBytes(StandardCharsets.US_ASCII));
      s.shutdownOutput();
      assertEquals(EMPTY, readToEof(s.getInputStream()));
    }
    // an empty line in persistent mode is answered and the connection stays usable
    try (Socket s = open()) {
      write(s, "\n  \nregister " + fresh() + " pw\n");
      InputStream in = s.getInputStream();
      assertEquals(EMPTY, readLine(in));
      assertEquals(EMPTY, readLine(in));
      assertEquals(SUCCESS, readLine(in));
      s.shutdownOutput();
      assertNull(readLine(in));
    }
    assertServes();
  }

  @Test
  void unknownCommandIsNamed() throws Exception {
    assertEquals("{\"status\":1,\"message\":\"Unknown command x\"}", reference("x"));
    assertEquals("{\"status\":1,\"message\":\"Unknown command exi\"}", reference("exi"));
    assertEquals("{\"status\":1,\"message\":\"Unknown command frobnicate\"}", reference("frobnicate a b c"));
    assertEquals("{\"status\":1,\"message\":\"Unknown command REGISTER\"}", reference("REGISTER a b"));
    assertEquals("{\"status\":1,\"message\":\"Unknown command x\"}", reference("  x  "));
    assertServes();
  }

  @Test
  void nonUtf8BytesGetAClearError() throws Exception {
    assertEquals(NOT_UTF8, referenceBytes(bytes(0xC3, 0x28, 0xFF, 0xFE, 'a')));
    // valid command word, broken argument: still refused as a whole, nothing registered
    String name = fresh();
    byte[] broken = concat(("register " + name + " p").getBytes(StandardCharsets.US_ASCII), bytes(0xC3, 0x28));
    assertEquals(NOT_UTF8, referenceBytes(broken));
    // overlong encoding of '/', a lone continuation byte, a truncated 3-byte sequence
    assertEquals(NOT_UTF8, referenceBytes(bytes(0xC0, 0xAF)));
    assertEquals(NOT_UTF8, referenceBytes(bytes(0x80)));
    assertEquals(NOT_UTF8, referenceBytes(bytes('x', 0xE2, 0x82)));
    // in persistent mode a bad line is answered and the next good line still is
    try (Socket s = open()) {
      OutputStream out = s.getOutputStream();
      out.write(concat(bytes(0xC3, 0x28, 0xFF, '\n'), ("register " + name + " pw\n").getBytes(StandardCharsets.US_ASCII)));
      out.flush();
      InputStream in = s.getInputStream();
      assertEquals(NOT_UTF8, readLine(in));
      assertEquals(SUCCESS, readLine(in), "the broken register above must not have registered " + name);
      s.shutdownOutput();
      assertNull(readLine(in));
    }
    // valid multi-byte UTF-8 is not refused
    assertEquals("{\"status\":1,\"message\":\"Unknown command h\u00e9llo\u2603\"}", reference("h\u00e9llo\u2603"));
    assertServes();
  }

  @Test
  void binaryJunkDoesNotStallOthers() throws Exception {
    Random random = new Random(20180412L);
    int connections = 4;
    List<byte[]> junk = new ArrayList<>();
    for (int c = 0; c < connections; c++) {
      junk.add(junkLines(random, 150));
    }
    List<CompletableFuture<Void>> abusers = new ArrayList<>();
    for (byte[] j : junk) {
      abusers.add(CompletableFuture.runAsync(() -> {
        try {
          sendJunkAndCheck(j, new Random(j.length));
        } catch (Exception e) {
          throw new RuntimeException(e);
        }
      }, threads));
    }
    // a normal client beside the abuse
    for (int i = 0; i < 10; i++) {
      assertServes();
    }
    for (CompletableFuture<Void> a : abusers) {
      join(a, 30);
    }
    assertServes();
  }

  @Test
  void oneMebibyteRequestIsRefusedAndClosed() throws Exception {
    byte[] mebibyte = new byte[1 << 20];
    Arrays.fill(mebibyte, (byte) 'a');
    // reference mode: no terminator
    assertEquals(TOO_LONG, hugeRequest(mebibyte));
    // the same with a newline at the end
    byte[] line = Arrays.copyOf(mebibyte, mebibyte.length + 1);
    line[line.length - 1] = '\n';
    assertEquals(TOO_LONG, hugeRequest(line));
    // just over the limit, terminated, written at once: whatever the read chunks, refused
    byte[] justOver = new byte[64 * 1024 + 100];
    Arrays.fill(justOver, (byte) 'b');
    justOver[justOver.length - 1] = '\n';
    for (int i = 0; i < 5; i++) {
      assertEquals(TOO_LONG, hugeRequest(justOver), "attempt " + i);
    }
    // the same after a long (accepted) line, when the server reads in big chunks: still refused
    for (int i = 0; i < 5; i++) {
      try (Socket s = open()) {
        InputStream in = s.getInputStream();
        byte[] warm = new byte[60_000];
        Arrays.fill(warm, (byte) 'c');
        warm[warm.length - 1] = '\n';
        s.getOutputStream().write(warm);
        s.getOutputStream().flush();
        JsonObject warmReply = new JsonObject(readLine(in));
        assertEquals("Unknown command " + "c".repeat(warm.length - 1), warmReply.getString("message"));
        try {
          s.getOutputStream().write(justOver);
          s.getOutputStream().flush();
          s.shutdownOutput(); // were the line accepted, this makes the server answer it and close
        } catch (IOException refusedAlready) {
          // the server stopped reading and closed: fine
        }
        assertEquals(TOO_LONG, readToEof(in), "after warm-up, attempt " + i);
      }
    }
    // persistent mode, after a good line: the long line is refused and the connection closed
    byte[] after = concat(("register " + fresh() + " pw\n").getBytes(StandardCharsets.US_ASCII), line);
    String replies = hugeRequest(after);
    assertEquals(SUCCESS + "\n" + TOO_LONG, replies);
    assertServes();
  }

  @Test
  void silentConnectionIsClosed() throws Exception {
    try (Socket s = open()) {
      long start = System.nanoTime();
      CompletableFuture<Void> side = CompletableFuture.runAsync(WireRobustnessTest::assertServesUnchecked, threads);
      s.setSoTimeout(10_000);
      int b;
      try {
        b = s.getInputStream().read();
      } catch (SocketTimeoutException e) {
        fail("a silent connection was not closed within 10 s");
        return;
      }
      long waited = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
      assertEquals(-1, b, "the server closes without writing");
      assertTrue(waited >= FIRST_BYTE_MILLIS - 100, "closed too early: " + waited + " ms");
      assertTrue(waited < FIRST_BYTE_MILLIS + 4_000, "closed too late: " + waited + " ms");
      join(side, 20);
    }
    // a persistent connection that has been used is not closed by the first-byte timer
    try (Socket s = open()) {
      write(s, "x\n");
      assertEquals("{\"status\":1,\"message\":\"Unknown command x\"}", readLine(s.getInputStream()));
      Thread.sleep(FIRST_BYTE_MILLIS + 300);
      write(s, "y\n");
      assertEquals("{\"status\":1,\"message\":\"Unknown command y\"}", readLine(s.getInputStream()));
    }
    assertServes();
  }

  @Test
  void connectionClosedMidRequestLosesNothing() throws Exception {
    String keeper = fresh();
    assertEquals(SUCCESS, reference("register " + keeper + " pw"));
    JsonObject login = new JsonObject(reference("login " + keeper + " pw"));
    assertEquals(0, login.getInteger("status"));
    String token = login.getString("token");
    assertNotNull(token);

    String half = fresh();
    // reference mode: half a request, then a reset
    try (Socket s = open()) {
      write(s, "register " + half);
      s.setSoLinger(true, 0);
    }
    // persistent mode: one whole line, half a line, then a reset
    String whole = fresh();
    try (Socket s = open()) {
      write(s, "register " + whole + " pw\nregister " + half + " p");
      s.setSoLinger(true, 0);
    }
    // reset straight after connecting
    try (Socket s = open()) {
      s.setSoLinger(true, 0);
    }
    assertServes();
    // the state made before is intact: same token back, name taken, and the half request registered nothing
    JsonObject again = new JsonObject(reference("login " + keeper + " pw"));
    assertEquals(0, again.getInteger("status"));
    assertEquals("Success!", again.getString("message"));
    assertEquals(token, again.getString("token"));
    assertEquals("{\"status\":1,\"message\":\"" + keeper + " is already used\"}", reference("register " + keeper + " other"));
    assertEquals("{\"status\":0,\"message\":\"Bye!\"}", reference("logout " + token));
    assertEquals(SUCCESS, reference("register " + half + " pw"));
  }

  @Test
  void fiveHundredConnectionsAtOnce() throws Exception {
    int n = 500;
    int round = names.incrementAndGet();
    List<Socket> sockets = new ArrayList<>(n);
    CompletableFuture<List<Long>> side = null;
    try {
      for (int i = 0; i < n; i++) {
        Socket s = new Socket();
        sockets.add(s);
        s.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
        s.setSoTimeout(30_000);
        s.setTcpNoDelay(true);
      }
      // a normal client, working during the burst: a request the wire layer answers alone must
      // stay prompt; one that needs the store waits its turn behind the burst, but not forever
      side = CompletableFuture.supplyAsync(() -> {
        List<Long> latencies = new ArrayList<>();
        try {
          for (int i = 0; i < 5; i++) {
            latencies.add(assertAnswersPromptly());
            latencies.add(assertServes(BURST_MILLIS));
          }
        } catch (IOException e) {
          throw new RuntimeException(e);
        }
        return latencies;
      }, threads);
      for (int i = 0; i < n; i++) {
        OutputStream out = sockets.get(i).getOutputStream();
        out.write(("register m" + round + "_" + i + " pw").getBytes(StandardCharsets.US_ASCII));
        out.flush();
      }
      int ok = 0;
      List<String> wrong = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        String reply = readToEof(sockets.get(i).getInputStream());
        if (SUCCESS.equals(reply)) {
          ok++;
        } else if (wrong.size() < 5) {
          wrong.add(i + ": " + reply);
        }
      }
      assertEquals(n, ok, "replies that were not Success!: " + wrong);
      List<Long> latencies = join(side, 40);
      assertEquals(10, latencies.size());
      System.out.println("side client latencies during the burst (ms): " + latencies);
    } finally {
      for (Socket s : sockets) {
        try {
          s.close();
        } catch (IOException ignored) {
          // closing anyway
        }
      }
      if (side != null) {
        side.cancel(true);
      }
    }
    // every one of them really exists
    for (int i = 0; i < n; i += 99) {
      String name = "m" + round + "_" + i;
      assertEquals("{\"status\":1,\"message\":\"" + name + " is already used\"}", reference("register " + name + " pw"));
    }
    assertServes();
  }

  @Test
  void persistentModeAnswersInOrder() throws Exception {
    String a = fresh();
    try (Socket s = open()) {
      InputStream in = s.getInputStream();
      write(s, "register " + a + " pw\nregister " + a + " pw\nlogin " + a + " bad\nlogin " + a + " pw\r\n"
          + "xyz\n\nregister " + a + "\n");
      assertEquals(SUCCESS, readLine(in));
      assertEquals("{\"status\":1,\"message\":\"" + a + " is already used\"}", readLine(in));
      assertEquals("{\"status\":1,\"message\":\"No such user or password error\"}", readLine(in));
      JsonObject login = new JsonObject(readLine(in));
      assertEquals(0, login.getInteger("status"));
      assertEquals("Success!", login.getString("message"));
      String token = login.getString("token");
      assertNotNull(token);
      assertEquals("{\"status\":1,\"message\":\"Unknown command xyz\"}", readLine(in));
      assertEquals(EMPTY, readLine(in));
      assertEquals("{\"status\":1,\"message\":\"Usage: register <username> <password>\"}", readLine(in));
      // the connection stays open for more
      write(s, "logout " + token + "\nlogout " + token + "\n");
      assertEquals("{\"status\":0,\"message\":\"Bye!\"}", readLine(in));
      assertEquals("{\"status\":1,\"message\":\"Not login yet\"}", readLine(in));

      // many more lines than the read-ahead limit, at once: every answer, in order
      int count = 200;
      StringBuilder many = new StringBuilder();
      String prefix = "o" + names.incrementAndGet() + "_";
      for (int i = 0; i < count; i++) {
        many.append("register ").append(prefix).append(i).append(" pw\n");
        many.append("register ").append(prefix).append(i).append(" pw\n");
      }
      CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
        try {
          write(s, many.toString());
        } catch (IOException e) {
          throw new RuntimeException(e);
        }
      }, threads);
      for (int i = 0; i < count; i++) {
        assertEquals(SUCCESS, readLine(in), "line " + (2 * i));
        assertEquals("{\"status\":1,\"message\":\"" + prefix + i + " is already used\"}", readLine(in),
            "line " + (2 * i + 1));
      }
      join(writer, 10);
      // the last line without a terminator is answered on half-close, then the server closes
      write(s, "zzz");
      s.shutdownOutput();
      assertEquals("{\"status\":1,\"message\":\"Unknown command zzz\"}", readLine(in));
      assertNull(readLine(in));
    }
    assertServes();
  }

  @Test
  void slowClientByteByByte() throws Exception {
    // Persistent mode is chosen by the first newline; after it, requests may dribble in at any pace.
    String slow = fresh();
    try (Socket s = open()) {
      InputStream in = s.getInputStream();
      write(s, "\n");
      assertEquals(EMPTY, readLine(in));
      OutputStream out = s.getOutputStream();
      byte[] request = ("register " + slow + " pw\n").getBytes(StandardCharsets.US_ASCII);
      CompletableFuture<Long> side = null;
      for (int i = 0; i < request.length; i++) {
        out.write(request[i]);
        out.flush();
        if (i == 3) {
          side = CompletableFuture.supplyAsync(WireRobustnessTest::assertServesUnchecked, threads);
        }
        Thread.sleep(i % 5 == 4 ? 10 : 1);
      }
      assertEquals(SUCCESS, readLine(in));
      join(side, 20);
      // a second slow request on the same connection
      byte[] second = ("register " + slow + " pw\n").getBytes(StandardCharsets.US_ASCII);
      for (byte b : second) {
        out.write(b);
        out.flush();
        Thread.sleep(1);
      }
      assertEquals("{\"status\":1,\"message\":\"" + slow + " is already used\"}", readLine(in));
    }
    // a client that vanishes before reading its answer: the request counts, others are not disturbed
    String vanish = fresh();
    try (Socket s = open()) {
      write(s, "register " + vanish + " pw");
      s.shutdownOutput();
    }
    for (int i = 0; i < 5; i++) {
      try (Socket s = open()) {
        write(s, "register " + fresh() + " pw");
        // closed without reading, before the quiet period is over
      }
    }
    assertServes();
    // its request was complete (data, then FIN): it must have been carried out
    String login = null;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (System.nanoTime() < deadline) {
      JsonObject reply = Wire.reference(port, "login " + vanish + " pw");
      login = reply.getString("message");
      if ("Success!".equals(login)) {
        break;
      }
      Thread.sleep(50);
    }
    assertEquals("Success!", login, "the vanished client's complete request was lost");
    assertEquals("{\"status\":1,\"message\":\"" + vanish + " is already used\"}", reference("register " + vanish + " pw2"));
  }

  // ------------------------------------------------------------------------------------------

  /** One persistent connection writing {@code junk}; every line must be answered in order, then EOF. */
  private static void sendJunkAndCheck(byte[] junk, Random chunks) throws Exception {
    List<byte[]> lines = splitLines(junk);
    try (Socket s = open()) {
      InputStream in = s.getInputStream();
      // the first newline makes the connection persistent before any junk arrives
      CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
        try {
          OutputStream out = s.getOutputStream();
          out.write('\n');
          out.flush();
          int at = 0;
          while (at < junk.length) {
            int len = Math.min(junk.length - at, 1 + chunks.nextInt(700));
            out.write(junk, at, len);
            out.flush();
            at += len;
          }
          s.shutdownOutput();
        } catch (IOException e) {
          throw new RuntimeException(e);
        }
      }, threads);
      assertEquals(EMPTY, readLine(in));
      for (int i = 0; i < lines.size(); i++) {
        String reply = readLine(in);
        assertNotNull(reply, "line " + i + " of " + lines.size() + " was not answered");
        JsonObject json = new JsonObject(reply);
        assertEquals(1, json.getInteger("status"), "line " + i + ": " + reply);
        String message = json.getString("message");
        assertNotNull(message, reply);
        String text = strictUtf8(lines.get(i));
        if (text == null) {
          assertEquals(NOT_UTF8, reply, "line " + i);
        } else if (text.strip().isEmpty()) {
          assertEquals(EMPTY, reply, "line " + i);
        } else {
          String word = text.strip().split("\\s+")[0];
          assertTrue(message.equals("Unknown command " + word) || message.equals("Not login yet"),
              "line " + i + ": " + reply);
        }
      }
      assertNull(readLine(in), "no extra reply, then the server closes");
      join(writer, 10);
    }
  }

  /** {@code count} newline-terminated lines of random bytes: NULs, control bytes, high bytes, printable runs. */
  private static byte[] junkLines(Random random, int count) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (int i = 0; i < count; i++) {
      int len = random.nextInt(120);
      for (int k = 0; k < len; k++) {
        int kind = random.nextInt(4);
        int b = switch (kind) {
          case 0 -> 0;
          case 1 -> random.nextInt(256);
          case 2 -> 0x80 + random.nextInt(0x80);
          default -> 0x21 + random.nextInt(0x5E);
        };
        if (b == '\n') {
          b = 0;
        }
        out.write(b);
      }
      out.write('\n');
    }
    return out.toByteArray();
  }

  private static List<byte[]> splitLines(byte[] junk) {
    List<byte[]> lines = new ArrayList<>();
    int from = 0;
    for (int i = 0; i < junk.length; i++) {
      if (junk[i] == '\n') {
        lines.add(Arrays.copyOfRange(junk, from, i));
        from = i + 1;
      }
    }
    return lines;
  }

  /** The line as the server decodes it (one trailing CR dropped), or null when it is not valid UTF-8. */
  private static String strictUtf8(byte[] line) {
    int end = line.length;
    if (end > 0 && line[end - 1] == '\r') {
      end--;
    }
    try {
      return StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(line, 0, end)).toString();
    } catch (CharacterCodingException e) {
      return null;
    }
  }

  /**
   * Writes {@code request} from a second thread while this one reads everything the server
   * sends until it closes. The writer may fail with a broken pipe or a reset once the server
   * has refused the request; that is expected. Returns what was read, trimmed.
   */
  private static String hugeRequest(byte[] request) throws Exception {
    try (Socket s = open()) {
      CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
        try {
          OutputStream out = s.getOutputStream();
          out.write(request);
          out.flush();
          // if the server accepted it after all, the half-close makes it answer and close
          s.shutdownOutput();
        } catch (IOException expected) {
          // the server stopped reading and closed: fine
        }
      }, threads);
      long start = System.nanoTime();
      String reply = readToEof(s.getInputStream());
      long took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
      assertTrue(took < 10_000, "refusal took " + took + " ms");
      s.close();
      join(writer, 10);
      return reply;
    }
  }

  private static String fresh() {
    return "w" + names.incrementAndGet() + "_" + Long.toString(System.nanoTime() & 0xFFFFF, 36);
  }

  /** A normal client registers a new user: exactly Success!, within {@link #PROMPT_MILLIS}. Returns the latency. */
  private static long assertServes() throws IOException {
    return assertServes(PROMPT_MILLIS);
  }

  private static long assertServes(long boundMillis) throws IOException {
    long start = System.nanoTime();
    String reply = reference("register " + fresh() + " pw");
    long took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    assertEquals(SUCCESS, reply);
    assertTrue(took < boundMillis, "a normal request took " + took + " ms");
    return took;
  }

  /** A request answered without the store (an unknown command): exact reply within {@link #PROMPT_MILLIS}. */
  private static long assertAnswersPromptly() throws IOException {
    long start = System.nanoTime();
    String reply = reference("probe");
    long took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    assertEquals("{\"status\":1,\"message\":\"Unknown command probe\"}", reply);
    assertTrue(took < PROMPT_MILLIS, "a request needing no store took " + took + " ms");
    return took;
  }

  private static long assertServesUnchecked() {
    try {
      return assertServes();
    } catch (IOException e) {
      throw new RuntimeException(e);
    }
  }

  private static <T> T join(CompletableFuture<T> f, int seconds) throws Exception {
    try {
      return f.get(seconds, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause != null && cause.getClass() == RuntimeException.class && cause.getCause() != null) {
        cause = cause.getCause();
      }
      if (cause instanceof Error err) {
        throw err;
      }
      throw cause instanceof Exception ex ? ex : e;
    } catch (TimeoutException e) {
      f.cancel(true);
      throw new AssertionError("not done within " + seconds + " s", e);
    }
  }

  private static String reference(String text) throws IOException {
    return Wire.reference(port, text).encode();
  }

  private static String referenceBytes(byte[] request) throws IOException {
    try (Socket s = open()) {
      s.getOutputStream().write(request);
      s.getOutputStream().flush();
      return readToEof(s.getInputStream());
    }
  }

  private static Socket open() throws IOException {
    return chat.support.Wire.open(port);
  }

  private static void write(Socket s, String text) throws IOException {
    s.getOutputStream().write(text.getBytes(StandardCharsets.UTF_8));
    s.getOutputStream().flush();
  }

  /** Everything until the server closes; a reset after some bytes ends the read like EOF. */
  private static String readToEof(InputStream in) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] buf = new byte[8192];
    try {
      int n;
      while ((n = in.read(buf)) >= 0) {
        out.write(buf, 0, n);
      }
    } catch (SocketTimeoutException e) {
      throw e;
    } catch (IOException reset) {
      if (out.size() == 0) {
        throw reset;
      }
    }
    return out.toString(StandardCharsets.UTF_8).trim();
  }

  /** One reply line without its newline, or null at EOF. */
  private static String readLine(InputStream in) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int b;
    while ((b = in.read()) >= 0) {
      if (b == '\n') {
        return out.toString(StandardCharsets.UTF_8);
      }
      out.write(b);
    }
    assertFalse(out.size() > 0, "a reply line without its newline: " + out.toString(StandardCharsets.UTF_8));
    return null;
  }

  private static byte[] bytes(int... values) {
    byte[] b = new byte[values.length];
    for (int i = 0; i < values.length; i++) {
      b[i] = (byte) values[i];
    }
    return b;
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] c = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, c, a.length, b.length);
    return c;
  }
}
