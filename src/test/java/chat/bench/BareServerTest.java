package chat.bench;

import chat.store.Db;
import chat.store.StoreOptions;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class BareServerTest {
  private Vertx vertx;
  private Db store;

  @AfterEach
  void stop() throws Exception {
    if (store != null) {
      store.close().await(10, TimeUnit.SECONDS);
    }
    if (vertx != null) {
      vertx.close().await(10, TimeUnit.SECONDS);
    }
  }

  private int start(int quietMillis) throws Exception {
    vertx = Vertx.vertx();
    return BareServer.start(vertx, "127.0.0.1", 0, 1, quietMillis).await(30, TimeUnit.SECONDS).port();
  }

  /** The reference wire mode: one write, no terminator, then everything until the server closes. */
  private static JsonObject ask(int port, String... parts) throws IOException, InterruptedException {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
      s.setSoTimeout(10_000);
      OutputStream out = s.getOutputStream();
      for (int i = 0; i < parts.length; i++) {
        if (i > 0) {
          Thread.sleep(1);
        }
        out.write(parts[i].getBytes(StandardCharsets.UTF_8));
        out.flush();
      }
      InputStream in = s.getInputStream();
      return new JsonObject(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    }
  }

  @Test
  void loginIsAnsweredWithATokenAndThisServerAsTheApplicationServer() throws Exception {
    int port = start(0);
    JsonObject reply = ask(port, "login someone secret");
    assertEquals(0, reply.getInteger("status"));
    assertNotNull(reply.getString("token"));
    assertFalse(reply.getString("token").isEmpty());
    JsonObject server = reply.getJsonObject("server");
    assertEquals("127.0.0.1", server.getString("host"));
    assertEquals(port, server.getInteger("port"));
    assertEquals(0, reply.getJsonArray("channel").getJsonObject(0).getInteger("type"));
  }

  @Test
  void everyOtherCommandIsAnsweredWithSuccess() throws Exception {
    int port = start(0);
    for (String request : new String[] {"register someone secret", "list-friend tok", "receive-post tok",
        "post tok hello there", "delete tok", "loginx a b", "x"}) {
      JsonObject reply = ask(port, request);
      assertEquals(0, reply.getInteger("status"), request);
      assertEquals(null, reply.getString("token"), request);
    }
  }

  /**
   * A port accepts as soon as it is bound, before the deployment that bound it completes: the
   * event loop the deployment completes on is held here until a login sent meanwhile has its
   * reply, which must name the port all the same.
   */
  @Test
  void aRequestThatComesBeforeTheServerHasFinishedStartingIsAnswered() throws Exception {
    vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(2));
    int port;
    try (ServerSocket probe = new ServerSocket(0)) {
      port = probe.getLocalPort();
    }
    CompletableFuture<JsonObject> early = new CompletableFuture<>();
    CompletableFuture<Integer> started = new CompletableFuture<>();
    vertx.getOrCreateContext().runOnContext(v -> {
      BareServer.start(vertx, "127.0.0.1", port, 1, 0)
          .onComplete(ar -> started.complete(ar.succeeded() ? ar.result().port() : -1));
      try {
        early.complete(askOnceListening(port, "login someone secret"));
      } catch (Exception e) {
        early.completeExceptionally(e);
      }
    });
    JsonObject reply = early.get(30, TimeUnit.SECONDS);
    assertEquals(0, reply.getInteger("status"));
    assertEquals(port, reply.getJsonObject("server").getInteger("port"));
    assertEquals(port, started.get(30, TimeUnit.SECONDS));
  }

  /** {@link #ask}, once something listens on {@code port}. */
  private static JsonObject askOnceListening(int port, String request) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (true) {
      try {
        return ask(port, request);
      } catch (ConnectException e) {
        if (System.nanoTime() > deadline) {
          throw e;
        }
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1)); // poll until the port is bound
      }
    }
  }

  @Test
  void withAQuietPeriodARequestInSeveralWritesGetsOneReply() throws Exception {
    int port = start(200);
    JsonObject reply = ask(port, "log", "in someone secret");
    assertEquals(0, reply.getInteger("status"));
    assertNotNull(reply.getString("token"));
  }

  /**
   * With a store, a command's answer waits for one read of the users table: once the table is
   * gone the read fails and so does the answer, while a login, which reads nothing, still
   * succeeds.
   */
  @Test
  void withAStoreEveryCommandButALoginIsAnsweredAfterItsRead() throws Exception {
    String url = "jdbc:hsqldb:mem:bare-" + UUID.randomUUID();
    try (Connection c = DriverManager.getConnection(url, "SA", "");
         Statement s = c.createStatement()) {
      s.execute("CREATE TABLE users (id BIGINT PRIMARY KEY, token_hash VARCHAR(64) UNIQUE)");
      vertx = Vertx.vertx();
      store = Db.open(vertx, new StoreOptions(url, "SA", "", 2));
      int port = BareServer.start(vertx, "127.0.0.1", 0, 1, 0, store).await(30, TimeUnit.SECONDS).port();
      assertEquals(0, ask(port, "list-friend tok").getInteger("status"));
      assertEquals(0, ask(port, "post tok hello").getInteger("status"));

      s.execute("DROP TABLE users");
      JsonObject failed = ask(port, "receive-post tok");
      assertEquals(1, failed.getInteger("status"));
      assertEquals("the store failed", failed.getString("message"));
      assertEquals(0, ask(port, "login someone secret").getInteger("status"));
    }
  }
}
