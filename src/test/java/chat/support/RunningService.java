package chat.support;

import chat.ChatServer;
import chat.Main;
import chat.config.ChatConfig;
import chat.fleet.FleetVerticle;
import chat.ops.Metrics;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The whole service in-process on loopback, on a Vert.x of its own (services on one Vert.x would
 * share the event bus, and with it each other's fleet), asked over real sockets as the 2018
 * client asks. Closing it stops the service, then its Vert.x; closing it again does nothing.
 */
public final class RunningService implements AutoCloseable {
  private final Vertx vertx;
  private final ChatConfig config;
  private final ChatServer server;
  private boolean closed;

  private RunningService(Vertx vertx, ChatConfig config, ChatServer server) {
    this.vertx = vertx;
    this.config = config;
    this.server = server;
  }

  /** The service with the test settings and its data in {@code dataDir}. */
  public static RunningService start(Path dataDir) throws Exception {
    return start(dataDir, Map.of());
  }

  /** The same with {@code settings} ({@code "fleet.capacity" -> "2"}, …) over the test settings. */
  public static RunningService start(Path dataDir, Map<String, String> settings) throws Exception {
    return start(TestServers.config(dataDir, settings));
  }

  /** The service with a configuration a test has changed; when it cannot start, its Vert.x is closed again. */
  public static RunningService start(ChatConfig config) throws Exception {
    // the transport and options the service's own start gives its login role
    Vertx vertx = Metrics.vertx(Main.vertxOptions(config, ChatServer.Role.ALL));
    try {
      return new RunningService(vertx, config,
          ChatServer.start(vertx, config, ChatServer.Role.ALL).await(60, TimeUnit.SECONDS));
    } catch (Throwable e) {
      vertx.close().await(30, TimeUnit.SECONDS);
      throw e;
    }
  }

  public Vertx vertx() {
    return vertx;
  }

  public ChatServer server() {
    return server;
  }

  /** The configuration it runs with, free ports filled in. */
  public ChatConfig config() {
    return config;
  }

  public int loginPort() {
    return server.loginPort();
  }

  /** One reference-mode request to the login server, and its reply. */
  public JsonObject ask(String text) throws IOException {
    return Wire.reference(loginPort(), text);
  }

  /** The message of the reply to {@code text}. */
  public String message(String text) throws IOException {
    return ask(text).getString("message");
  }

  /** Logs {@code user} in, which must succeed; returns the token. */
  public String login(String user, String password) throws IOException {
    JsonObject reply = ask("login " + user + " " + password);
    assertEquals("Success!", reply.getString("message"), reply.encode());
    return reply.getString("token");
  }

  /** The fleet's application instances as the fleet lists them now. */
  public JsonArray instances() throws Exception {
    return vertx.eventBus().<JsonObject>request(FleetVerticle.SNAPSHOT, null).await(10, TimeUnit.SECONDS)
        .body().getJsonArray("instances");
  }

  /** A secret the service generated in its data directory ({@code store-admin}, {@code fleet-key}, …). */
  public String secret(String name) throws IOException {
    return Files.readString(config.dataDir().resolve("secrets").resolve(name)).trim();
  }

  @Override
  public void close() throws Exception {
    if (closed) {
      return;
    }
    closed = true;
    try {
      server.close().await(60, TimeUnit.SECONDS);
    } finally {
      vertx.close().await(30, TimeUnit.SECONDS);
    }
  }
}
