package chat.client;

import chat.ChatServer;
import chat.Main;
import chat.config.Certificates;
import chat.config.TlsOptions;
import chat.support.RunningService;
import chat.wire.ClientTls;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.SSLSocket;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The service with {@code --tls} and the real client with {@code --tls --ca}: every command
 * end to end over TLS, through the login server and straight to application servers; plain
 * text, a wrong CA and a wrong name get nothing; the pair made once is kept, a given pair is
 * the one served, and application servers in child processes serve it too.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class TlsTest {
  private static final long WAIT_MILLIS = 30_000;
  private static final String NOT_LOGGED_IN = "{\"status\":1,\"message\":\"Not login yet\"}";

  @TempDir
  static Path data;
  /** The service most tests share. */
  @AutoClose
  private static RunningService shared;
  private static Path cert;
  private static ClientTls trusting;

  @BeforeAll
  static void startTlsServer() throws Exception {
    shared = RunningService.start(data, Map.of("tls.enabled", "true"));
    cert = data.resolve("tls").resolve(Certificates.CERT_FILE);
    trusting = ClientTls.trusting(cert);
  }

  @Test
  void clientWithTheGeneratedCertificateRunsTheSocialCommandsEndToEnd() throws Exception {
    ClientHarness client = new ClientHarness(shared.loginPort(), trusting);
    client.type("register e2ea pw", "register e2eb pw", "login e2ea pw", "login e2eb pw",
        "invite e2ea e2eb", "list-invite e2eb", "accept-invite e2eb e2ea", "list-friend e2ea",
        "post e2eb hello", "receive-post e2ea", "send e2ea e2eb hi there",
        "create-group e2ea g1", "join-group e2eb g1", "send-group e2eb g1 hey all", "logout e2eb");
    List<String> expected = List.of("Success!", "Success!", "Success!", "Success!",
        "Success!", "e2ea", "Success!", "e2eb",
        "Success!", "e2eb: hello", "Success!", "<<<e2ea->e2eb: hi there>>>",
        "Success!", "Success!", "Success!", "<<<e2eb->GROUP<g1>: hey all>>>", "<<<e2eb->GROUP<g1>: hey all>>>",
        "Bye!");
    client.awaitLines(expected.size(), WAIT_MILLIS);
    assertEquals(expected, client.exit(WAIT_MILLIS));
  }

  @Test
  void commandsForwardedByTheLoginServerAndSentStraightToTheApplicationServerBothSpeakTls() throws Exception {
    assertEquals("Success!", line(trusting, shared.loginPort(), "register fwd pw").getString("message"));
    JsonObject login = line(trusting, shared.loginPort(), "login fwd pw");
    String token = login.getString("token");
    int appPort = login.getJsonObject("server").getInteger("port");
    assertNotEquals(shared.loginPort(), appPort);
    assertEquals("Success!", line(trusting, shared.loginPort(), "post " + token + " through the login server")
        .getString("message"));
    assertEquals("Success!", line(trusting, appPort, "create-group " + token + " fwdgroup").getString("message"));
    JsonObject forwarded = line(trusting, shared.loginPort(), "list-joined " + token);
    JsonObject direct = line(trusting, appPort, "list-joined " + token);
    assertEquals(List.of("fwdgroup"), forwarded.getJsonArray("group").getList());
    assertEquals(forwarded.getJsonArray("group"), direct.getJsonArray("group"));
    assertNoPlainReply(appPort, "list-joined " + token + "\n");
  }

  @Test
  void theBrokerSpeaksOnlyAmqpsWithTheServicesCertificate() throws Exception {
    line(trusting, shared.loginPort(), "register amqps pw");
    JsonObject login = line(trusting, shared.loginPort(), "login amqps pw");
    String url = login.getString("broker");
    assertTrue(url.startsWith("amqps://"), url);
    String channel = "queue://" + login.getJsonArray("channel").getJsonObject(0).getString("channel");
    String plainUrl = url.replace("amqps://", "amqp://");
    io.vertx.amqp.AmqpClient plain = io.vertx.amqp.AmqpClient.create(shared.vertx(),
        ClientTls.plain().amqp(plainUrl, "amqps", login.getString("token")).setConnectTimeout(3_000));
    assertThrows(Exception.class, () -> plain.connect().compose(c -> c.createReceiver(channel))
        .await(10, TimeUnit.SECONDS), "plain AMQP to the TLS acceptor");
    plain.close();
    io.vertx.amqp.AmqpClient secure = io.vertx.amqp.AmqpClient.create(shared.vertx(),
        trusting.amqp(url, "amqps", login.getString("token")));
    try {
      assertNotNull(secure.connect().compose(c -> c.createReceiver(channel)).await(10, TimeUnit.SECONDS));
    } finally {
      secure.close();
    }
  }

  @Test
  void plainTextToTheTlsPortGetsNoReplyAndTheServerGoesOn() throws Exception {
    assertNoPlainReply(shared.loginPort(), "register plainmallory pw");
    assertNoPlainReply(shared.loginPort(), "register plainmallory pw\n");
    // nothing of it reached the service, and it still answers TLS clients
    assertEquals("Success!", line(trusting, shared.loginPort(), "register plainmallory pw").getString("message"));
  }

  @Test
  void referenceModeWorksOverTls() throws Exception {
    try (Socket s = connect(trusting, shared.loginPort())) {
      write(s, "list-group nobody");
      assertEquals(NOT_LOGGED_IN, readAll(s));
    }
  }

  @Test
  void aHalfCloseEndsAReferenceRequestOverTlsWithoutWaitingForTheQuietPeriod(@TempDir Path dir) throws Exception {
    // a quiet period longer than the read timeout: only the half-close can end the request in time
    try (RunningService slow = RunningService.start(dir, Map.of("tls.enabled", "true", "wire.quietMillis", "60000"))) {
      try (Socket s = connect(ClientTls.trusting(slow.server().tls().cert()), slow.loginPort())) {
        write(s, "list-group nobody");
        s.shutdownOutput();
        assertEquals(NOT_LOGGED_IN, readAll(s));
      }
    }
  }

  @Test
  void clientGivenAnotherCaRefusesToTalkAndSendsNothing(@TempDir Path other) throws Exception {
    Path stranger = other.resolve("other.crt");
    Certificates.generate(stranger, other.resolve("other.key"), List.of("127.0.0.1", "localhost"), Duration.ofDays(1));
    ClientTls wrong = ClientTls.trusting(stranger);

    ClientTls.Untrusted refused = assertThrows(ClientTls.Untrusted.class, () -> connect(wrong, shared.loginPort()));
    assertTrue(refused.getMessage().contains("does not verify against " + stranger), refused.getMessage());

    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    ByteArrayOutputStream errors = new ByteArrayOutputStream();
    ChatClient client = new ChatClient(new InetSocketAddress("127.0.0.1", shared.loginPort()), wrong,
        new PrintStream(printed, true, StandardCharsets.UTF_8));
    PrintStream stderr = System.err;
    int status;
    System.setErr(new PrintStream(errors, true, StandardCharsets.UTF_8));
    try {
      status = client.run(new ByteArrayInputStream("register wrongca pw\nlogin wrongca pw\n".getBytes(StandardCharsets.UTF_8)));
    } finally {
      System.setErr(stderr);
    }
    assertEquals(1, status);
    assertEquals("", printed.toString(StandardCharsets.UTF_8), "nothing on standard output");
    assertTrue(errors.toString(StandardCharsets.UTF_8).contains("client: the certificate of 127.0.0.1:" + shared.loginPort()
        + " does not verify against " + stranger), errors.toString(StandardCharsets.UTF_8));
    // the register was never sent, in plain text or otherwise
    assertEquals("Success!", line(trusting, shared.loginPort(), "register wrongca pw").getString("message"));
  }

  @Test
  void aNameTheCertificateDoesNotCarryIsRefused(@TempDir Path dir) throws Exception {
    Path given = dir.resolve("named.crt");
    Certificates.generate(given, dir.resolve("named.key"), List.of("127.0.0.1"), Duration.ofDays(1));
    try (RunningService named = RunningService.start(dir.resolve("data"),
        Map.of("tls.enabled", "true", "tls.cert", given.toString(), "tls.key", dir.resolve("named.key").toString()))) {
      int port = named.loginPort();
      ClientTls client = ClientTls.trusting(given);
      try (Socket s = client.connect(new InetSocketAddress("127.0.0.1", port), 5_000, 15_000)) {
        assertTrue(((SSLSocket) s).getSession().isValid());
      }
      ClientTls.Untrusted refused = assertThrows(ClientTls.Untrusted.class,
          () -> client.connect(new InetSocketAddress("localhost", port), 5_000, 15_000).close());
      assertTrue(refused.getMessage().contains("localhost"), refused.getMessage());
    }
  }

  @Test
  void theGeneratedPairIsKeptOwnerOnlyAndReusedOnRestart(@TempDir Path dir) throws Exception {
    Path own = dir.resolve("data");
    String before;
    try (RunningService first = RunningService.start(own, Map.of("tls.enabled", "true"))) {
      before = servedFingerprint(ClientTls.trusting(own.resolve("tls/server.crt")), first.loginPort());
    }
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(own.resolve("tls/server.key"))));
    assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(own.resolve("tls"))));
    assertEquals(Certificates.fingerprint(Certificates.read(own.resolve("tls/server.crt"))), before);

    try (RunningService second = RunningService.start(own, Map.of("tls.enabled", "true"))) {
      assertEquals(before, servedFingerprint(ClientTls.trusting(own.resolve("tls/server.crt")), second.loginPort()));
    }
  }

  @Test
  void aPairGivenWithTlsCertAndTlsKeyIsTheOneServedByEveryServer(@TempDir Path dir) throws Exception {
    Path given = dir.resolve("given.crt");
    Path key = dir.resolve("given.key");
    Certificates.generate(given, key, List.of("127.0.0.1", "given.test"), Duration.ofDays(2));
    Main flags = Main.parse("--tls-cert", given.toString(), "--tls-key", key.toString());
    Path own = dir.resolve("data");
    try (RunningService service = RunningService.start(own, flags.overrides())) {
      ChatServer served = service.server();
      String expected = Certificates.fingerprint(Certificates.read(given));
      ClientTls client = ClientTls.trusting(given);
      assertEquals(expected, servedFingerprint(client, served.loginPort()));
      assertEquals("Success!", line(client, served.loginPort(), "register given pw").getString("message"));
      int appPort = line(client, served.loginPort(), "login given pw").getJsonObject("server").getInteger("port");
      assertEquals(expected, servedFingerprint(client, appPort));
      assertFalse(Files.exists(own.resolve("tls")), "no pair made when one is given");
    }
  }

  @Test
  void applicationServersInChildProcessesServeTheSamePair(@TempDir Path dir) throws Exception {
    Path own = dir.resolve("data");
    try (RunningService service = RunningService.start(own, Map.of("tls.enabled", "true", "fleet.provider", "local"))) {
      ChatServer fleet = service.server();
      TlsOptions tls = fleet.tls();
      ClientTls client = ClientTls.trusting(tls.cert());
      ClientHarness harness = new ClientHarness(fleet.loginPort(), client);
      harness.type("register childa pw", "register childb pw", "login childa pw", "login childb pw",
          "invite childa childb", "accept-invite childb childa", "send childb childa over tls");
      List<String> expected = List.of("Success!", "Success!", "Success!", "Success!", "Success!", "Success!",
          "Success!", "<<<childb->childa: over tls>>>");
      harness.awaitLines(expected.size(), 90_000);
      assertEquals(expected, harness.exit(WAIT_MILLIS));
      int appPort = line(client, fleet.loginPort(), "login childa pw").getJsonObject("server").getInteger("port");
      assertEquals(tls.fingerprint(), servedFingerprint(client, appPort));
    }
  }

  // ---- helpers: real sockets ----

  private static Socket connect(ClientTls tls, int port) throws IOException {
    return tls.connect(new InetSocketAddress("127.0.0.1", port), 5_000, 15_000);
  }

  /** One newline-terminated request on its own TLS connection, and its reply line. */
  private static JsonObject line(ClientTls tls, int port, String text) throws IOException {
    try (Socket s = connect(tls, port)) {
      write(s, text + "\n");
      InputStream in = s.getInputStream();
      ByteArrayOutputStream reply = new ByteArrayOutputStream();
      int b;
      while ((b = in.read()) >= 0 && b != '\n') {
        reply.write(b);
      }
      return new JsonObject(reply.toString(StandardCharsets.UTF_8));
    }
  }

  private static String servedFingerprint(ClientTls tls, int port) throws IOException {
    try (Socket s = connect(tls, port)) {
      return Certificates.fingerprint(((SSLSocket) s).getSession().getPeerCertificates()[0]);
    }
  }

  private static void write(Socket s, String text) throws IOException {
    OutputStream out = s.getOutputStream();
    out.write(text.getBytes(StandardCharsets.UTF_8));
    out.flush();
  }

  private static String readAll(Socket s) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    s.getInputStream().transferTo(out);
    return out.toString(StandardCharsets.UTF_8).trim();
  }

  /** Plain text to a TLS port: the connection ends (within the read timeout) and no JSON comes back. */
  private static void assertNoPlainReply(int port, String text) throws IOException {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
      s.setSoTimeout(10_000);
      write(s, text);
      String received;
      try {
        received = readAll(s);
      } catch (SocketException reset) {
        received = "";
      }
      assertFalse(received.contains("{"), "no JSON reply to plain text: " + received);
    }
  }
}
