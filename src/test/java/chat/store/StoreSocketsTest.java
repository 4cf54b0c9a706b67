package chat.store;

import chat.config.ChatConfig;
import chat.support.TestServers;
import org.hsqldb.server.HsqlSocketFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StoreSocketsTest {
  /** How long a read on a test socket may wait before the test fails instead of hanging. */
  private static final int READ_TIMEOUT_MILLIS = 20_000;
  /** A statement as HSQLDB writes it: a body, then the byte that ends the message. */
  private static final byte[] BODY = body(171);
  @TempDir
  Path data;
  private final List<AutoCloseable> opened = new ArrayList<>();

  @AfterEach
  void close() throws Exception {
    for (AutoCloseable c : opened) {
      c.close();
    }
  }

  @Test
  void aMessageWrittenInTwoPiecesLeavesInOneWriteWhenFlushed() throws IOException {
    Writes socket = new Writes();
    OutputStream out = StoreSockets.whole(socket);
    out.write(BODY);
    out.write(0);
    assertEquals(List.of(), socket.writes, "nothing leaves before the flush");
    out.flush();
    assertEquals(1, socket.writes.size(), "the message leaves in one write");
    assertArrayEquals(message(), socket.writes.get(0));
  }

  @Test
  void aReadSendsWhatWasWrittenBeforeIt() throws IOException {
    Writes socket = new Writes();
    OutputStream out = StoreSockets.whole(socket);
    InputStream in = StoreSockets.flushingBefore(new ByteArrayInputStream(new byte[] {7}), out);
    out.write(BODY);
    assertEquals(7, in.read());
    assertEquals(1, socket.writes.size(), "what was written left before the read");
    assertArrayEquals(BODY, socket.writes.get(0));
  }

  @Test
  void hsqldbsClientSocketsHoldAMessageUntilItIsFlushed() throws Exception {
    Ends ends = hsqldbClientAndItsPeer();
    OutputStream out = ends.client().getOutputStream();
    out.write(BODY);
    assertEquals(0, ends.peer().getInputStream().available(), "the body waits for the end of its message");
    out.write(0);
    out.flush();
    assertArrayEquals(message(), ends.peer().getInputStream().readNBytes(message().length));
  }

  @Test
  void hsqldbsClientSocketsSendWhatTheyHoldBeforeTheyWaitForAnAnswer() throws Exception {
    Ends ends = hsqldbClientAndItsPeer();
    ends.client().getOutputStream().write(BODY);
    ends.peer().getOutputStream().write(9);
    assertEquals(9, ends.client().getInputStream().read(), "the client reads the answer");
    assertArrayEquals(BODY, ends.peer().getInputStream().readNBytes(BODY.length), "what it wrote left before it read");
  }

  /** Run on a thread of its own, as HSQLDB serves each connection: its streams mark their thread. */
  @Test
  void aServedConnectionsAnswerWaitsForItsEndAndLeavesBeforeTheNextRead() throws Exception {
    FutureTask<Void> connection = new FutureTask<>(() -> {
      serveOneConnection();
      return null;
    });
    new Thread(connection, "served-connection").start();
    connection.get(READ_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
  }

  private void serveOneConnection() throws IOException {
    ServerSocket listener = open(new ServerSocket(0, 1, InetAddress.getLoopbackAddress()));
    Socket client = open(new Socket(InetAddress.getLoopbackAddress(), listener.getLocalPort()));
    client.setSoTimeout(READ_TIMEOUT_MILLIS);
    Socket served = GroupCommit.served(accepted(listener));
    InputStream statements = served.getInputStream();
    OutputStream answers = served.getOutputStream();
    answers.write(BODY);
    assertEquals(0, client.getInputStream().available(), "the answer waits for its end");
    answers.write(0);
    answers.flush();
    assertArrayEquals(message(), client.getInputStream().readNBytes(message().length));
    answers.write(BODY);
    client.getOutputStream().write(5);
    assertEquals(5, statements.read(), "the server reads the next statement");
    assertArrayEquals(BODY, client.getInputStream().readNBytes(BODY.length), "its answer left first");
  }

  /** Statements and answers smaller and larger than one write's buffer, through a real store server. */
  @Test
  void theStoreAnswersThroughTheseSocketsOnBothEnds() throws Exception {
    StoreSockets.useForClients();
    ChatConfig config = TestServers.config(data, Map.of()).withFreePorts();
    int port = config.store().getInteger("port");
    StoreServer store = new StoreServer();
    opened.add(store::stop);
    store.start("127.0.0.1", port, config.databasePath(), 0);
    String big = "x".repeat(3 * StoreSockets.MESSAGE_BYTES);
    try (Connection c = DriverManager.getConnection("jdbc:hsqldb:hsql://127.0.0.1:" + port + "/chat", "SA", "");
         Statement s = c.createStatement()) {
      s.execute("CREATE TABLE notes (id INT PRIMARY KEY, text VARCHAR(100000))");
      try (PreparedStatement insert = c.prepareStatement("INSERT INTO notes VALUES (?, ?)")) {
        for (int i = 0; i < 200; i++) {
          insert.setInt(1, i);
          insert.setString(2, i == 100 ? big : "note " + i);
          assertEquals(1, insert.executeUpdate());
        }
      }
      try (ResultSet r = s.executeQuery("SELECT id, text FROM notes ORDER BY id")) {
        for (int i = 0; i < 200; i++) {
          assertTrue(r.next());
          assertEquals(i, r.getInt(1));
          assertEquals(i == 100 ? big : "note " + i, r.getString(2));
        }
      }
    }
  }

  /** A socket from HSQLDB's client factory, once this process uses ours, and the end it is connected to. */
  private Ends hsqldbClientAndItsPeer() throws Exception {
    StoreSockets.useForClients();
    ServerSocket listener = open(new ServerSocket(0, 1, InetAddress.getLoopbackAddress()));
    Socket client = open(HsqlSocketFactory.getInstance(false)
        .createSocket(null, "127.0.0.1", listener.getLocalPort()));
    client.setSoTimeout(READ_TIMEOUT_MILLIS);
    return new Ends(client, accepted(listener));
  }

  private <T extends AutoCloseable> T open(T closeable) {
    opened.add(closeable);
    return closeable;
  }

  private Socket accepted(ServerSocket listener) throws IOException {
    Socket peer = open(listener.accept());
    peer.setSoTimeout(READ_TIMEOUT_MILLIS);
    return peer;
  }

  private static byte[] body(int length) {
    byte[] body = new byte[length];
    Arrays.fill(body, (byte) '#');
    return body;
  }

  private static byte[] message() {
    byte[] message = Arrays.copyOf(BODY, BODY.length + 1);
    message[BODY.length] = 0;
    return message;
  }

  private record Ends(Socket client, Socket peer) {
  }

  /** A socket's output as the writes it was given. */
  private static final class Writes extends OutputStream {
    final List<byte[]> writes = new ArrayList<>();

    @Override
    public void write(int b) {
      writes.add(new byte[] {(byte) b});
    }

    @Override
    public void write(byte[] b, int off, int len) {
      writes.add(Arrays.copyOfRange(b, off, off + len));
    }
  }
}
