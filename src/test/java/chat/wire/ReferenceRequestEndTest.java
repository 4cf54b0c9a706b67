package chat.wire;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * When a reference-mode request (no terminator, no half-close) counts as complete. The server
 * here waits a long quiet period, so an answer that comes much sooner can only be the
 * whole-read rule, and a request in pieces that must wait for the quiet period shows whether it
 * was joined. The handler echoes the request text.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ReferenceRequestEndTest {
  private static final int QUIET_MILLIS = 2_000;
  /** Far below the quiet period, far above a loaded machine's answer time. */
  private static final long WHOLE_MILLIS = 1_000;
  /** How long a partial request is watched for a premature answer: well inside the quiet period. */
  private static final int NO_ANSWER_MILLIS = 300;

  private static Vertx vertx;
  private static RequestServer server;
  private static int port;

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    WireOptions options = new WireOptions(64 * 1024, QUIET_MILLIS, 10_000, 60, 64);
    server = new RequestServer(vertx, options,
        (text, local, remote) -> Future.succeededFuture(new JsonObject().put("status", 0).put("message", text)));
    port = server.listen("127.0.0.1", 0).await(10, TimeUnit.SECONDS);
  }

  @AfterAll
  static void stop() throws Exception {
    if (server != null) {
      server.close().await(10, TimeUnit.SECONDS);
    }
    if (vertx != null) {
      vertx.close().await(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void wholeRequestIsAnsweredWithoutWaitingForTheQuietPeriod() throws Exception {
    assertAnsweredAtOnce("register alice pw");
    assertAnsweredAtOnce("post 0123456789abcdef h\u00e9llo \u2603 \uD83D\uDE00"); // 2-, 3- and 4-byte characters last
    assertAnsweredAtOnce("x");
    assertAnsweredAtOnce("p".repeat(RequestServer.WHOLE_READ_MAX_BYTES));
  }

  @Test
  void wholeRequestReplyIsByteExact() throws Exception {
    try (Socket s = open()) {
      write(s, bytes("list-friend tok"));
      assertEquals("{\"status\":0,\"message\":\"list-friend tok\"}", readToEof(s.getInputStream()));
    }
  }

  @Test
  void requestCutInsideAUtf8SequenceIsJoined() throws Exception {
    byte[] text = bytes("send tok bob caf\u00e9");
    int cut = text.length - 1; // between the two bytes of é
    assertJoined(Arrays.copyOf(text, cut), Arrays.copyOfRange(text, cut, text.length), "send tok bob caf\u00e9");
  }

  @Test
  void requestCutAfterASpaceIsJoined() throws Exception {
    assertJoined(bytes("post tok "), bytes("hello world"), "post tok hello world");
  }

  @Test
  void longRequestInPiecesIsJoined() throws Exception {
    String head = "post tok " + "w".repeat(RequestServer.WHOLE_READ_MAX_BYTES);
    assertJoined(bytes(head), bytes(" end"), head + " end");
  }

  @Test
  void longRequestSentAtOnceIsReadWhole() throws Exception {
    // longer than the whole-read limit (and than Netty's first read buffer): the quiet period ends it
    String text = "post tok " + "z".repeat(6_000);
    try (Socket s = open()) {
      write(s, bytes(text));
      assertEquals(echo(text), readToEof(s.getInputStream()));
    }
  }

  @Test
  void halfCloseStillEndsAPartialRequestAtOnce() throws Exception {
    try (Socket s = open()) {
      long start = System.nanoTime();
      write(s, bytes("post tok "));
      s.shutdownOutput();
      assertEquals(echo("post tok "), readToEof(s.getInputStream()));
      long took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
      assertTrue(took < WHOLE_MILLIS, "a half-closed request took " + took + " ms");
    }
  }

  @Test
  void utf8EndIsRecognised() {
    assertTrue(RequestServer.endsOnWholeCharacter(Buffer.buffer("ab")));
    assertTrue(RequestServer.endsOnWholeCharacter(Buffer.buffer("caf\u00e9")));
    assertTrue(RequestServer.endsOnWholeCharacter(Buffer.buffer("\u2603")));
    assertTrue(RequestServer.endsOnWholeCharacter(Buffer.buffer("\uD83D\uDE00")));
    assertFalse(RequestServer.endsOnWholeCharacter(buffer('a', 0xC3)));
    assertFalse(RequestServer.endsOnWholeCharacter(buffer('a', 0xE2, 0x98)));
    assertFalse(RequestServer.endsOnWholeCharacter(buffer(0xF0, 0x9F, 0x98)));
    // malformed tails cannot be mended by more bytes: they end the request (refused as not UTF-8)
    assertTrue(RequestServer.endsOnWholeCharacter(buffer('a', 0x80)));
    assertTrue(RequestServer.endsOnWholeCharacter(buffer(0x80, 0x80, 0x80, 0x80)));
    assertTrue(RequestServer.endsOnWholeCharacter(buffer('a', 0xFF)));
  }

  // ------------------------------------------------------------------------------------------

  private static void assertAnsweredAtOnce(String text) throws IOException {
    try (Socket s = open()) {
      long start = System.nanoTime();
      write(s, bytes(text));
      String reply = readToEof(s.getInputStream());
      long took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
      assertEquals(echo(text), reply);
      assertTrue(took < WHOLE_MILLIS, "a whole request took " + took + " ms (quiet period " + QUIET_MILLIS + " ms)");
    }
  }

  /**
   * Sends {@code first}, checks that it is not answered on its own while the quiet period runs
   * (this also lets the server read it as a read of its own), sends {@code second}, and expects
   * one answer for both.
   */
  private static void assertJoined(byte[] first, byte[] second, String whole) throws IOException {
    try (Socket s = open()) {
      InputStream in = s.getInputStream();
      write(s, first);
      s.setSoTimeout(NO_ANSWER_MILLIS);
      assertThrows(SocketTimeoutException.class, in::read, "the first piece was answered on its own");
      s.setSoTimeout(15_000);
      write(s, second);
      assertEquals(echo(whole), readToEof(in));
    }
  }

  /** The reply the echo handler's answer becomes on the wire. */
  private static String echo(String text) {
    return new JsonObject().put("status", 0).put("message", text).toBuffer().toString(StandardCharsets.UTF_8);
  }

  private static Socket open() throws IOException {
    return chat.support.Wire.open(port);
  }

  private static void write(Socket s, byte[] data) throws IOException {
    OutputStream out = s.getOutputStream();
    out.write(data);
    out.flush();
  }

  private static String readToEof(InputStream in) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    in.transferTo(out);
    return out.toString(StandardCharsets.UTF_8);
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  private static Buffer buffer(int... values) {
    Buffer b = Buffer.buffer();
    for (int v : values) {
      b.appendByte((byte) v);
    }
    return b;
  }
}
