package chat.it;

import chat.ChatServer;
import chat.config.ChatConfig;
import chat.fleet.FleetControl;
import chat.ops.Metrics;
import chat.support.RunningService;
import chat.support.TestServers;
import chat.support.Wire;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static chat.support.Admin.get;
import static chat.support.Admin.until;
import static chat.support.Admin.value;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An application instance ({@code --role=app}, on a Vert.x of its own, as in its own process)
 * against a real login role: its own listener for metrics and health, on an ephemeral loopback
 * port, behind the admin token, ready only while the store and the broker answer.
 */
class ApplicationInstanceOpsTest {
  private static final String TOKEN = "instance-admin-token";
  private static final String ID = "app-opstest";

  @TempDir
  Path data;
  @TempDir
  Path appData;
  @AutoClose
  private RunningService login;
  private Vertx appVertx;
  private ChatServer app;

  @BeforeEach
  void start() throws Exception {
    login = RunningService.start(data);
    // as an instance's own process makes it: the JVM's figures wait for the instance to start
    appVertx = Metrics.vertx(new VertxOptions().setEventLoopPoolSize(2), false);
    app = ChatServer.start(appVertx, instanceConfig(), ChatServer.Role.APP).await(60, TimeUnit.SECONDS);
  }

  /** What the fleet hands an instance it starts: the login role's broker and store, the app users, its secret. */
  private ChatConfig instanceConfig() throws Exception {
    ChatConfig loginConfig = login.config();
    Map<String, String> credentials = loginConfig.instanceCredentials();
    return TestServers.config(appData, Map.of(
        "app.instanceId", ID,
        "app.instanceSecret", FleetControl.instanceSecret(login.secret("fleet-key"), ID),
        "app.adminPort", "0",
        "admin.token", TOKEN,
        "broker.url", "amqp://127.0.0.1:" + loginConfig.broker().getInteger("amqpPort"),
        "broker.user", credentials.get("CHAT_BROKER_USER"),
        "broker.password", credentials.get("CHAT_BROKER_PASSWORD"),
        "store.port", String.valueOf(loginConfig.store().getInteger("port")),
        "store.user", credentials.get("CHAT_STORE_USER"),
        "store.password", credentials.get("CHAT_STORE_PASSWORD")));
  }

  @AfterEach
  void stop() throws Exception {
    try {
      if (app != null) {
        app.close().await(60, TimeUnit.SECONDS);
      }
    } finally {
      appVertx.close().await(30, TimeUnit.SECONDS);
    }
  }

  private int admin() {
    return app.adminPort();
  }

  @Test
  void anInstanceServesItsOwnMetricsBehindTheToken() throws Exception {
    assertTrue(admin() > 0 && admin() != app.appPort());
    assertEquals(null, Metrics.of(appVertx).registry().find("jvm.threads.live").gauge(),
        "the JVM's figures are not bound beside the instance's start, but when first asked for");
    assertEquals(401, get(admin(), "/metrics", null).statusCode());
    assertEquals(401, get(admin(), "/health/ready", "wrong").statusCode());
    login.message("register ann pw");
    String token = login.login("ann", "pw");
    JsonObject reply = Wire.reference(app.appPort(), "list-friend " + token);
    assertEquals(0, reply.getInteger("status"), reply.encode());
    assertEquals("Not login yet", Wire.reference(app.appPort(), "list-friend nosuchtoken").getString("message"));

    HttpResponse<String> response = get(admin(), "/metrics", TOKEN);
    assertEquals(200, response.statusCode());
    String scrape = response.body();
    assertEquals(1, value(scrape, "chat_command_replies_total{command=\"list-friend\",outcome=\"ok\",role=\"app\"}"));
    assertEquals(1,
        value(scrape, "chat_command_replies_total{command=\"list-friend\",outcome=\"failed\",role=\"app\"}"));
    assertEquals(2, value(scrape, "chat_command_seconds_count{command=\"list-friend\",role=\"app\"}"));
    assertTrue(value(scrape, "chat_store_pool_acquired_total{pool=\"autocommit\"}") > 0);
    // the instance reports no fleet: that is the login role's
    assertTrue(!scrape.contains("chat_fleet_"), "no fleet figures on an instance");
    // the JVM's figures, bound by the first scrape before it answered
    assertTrue(value(scrape, "jvm_threads_live_threads") > 0, "the JVM's threads");
    assertTrue(scrape.contains("jvm_memory_used_bytes{area=\"heap\""), "heap figures");
  }

  @Test
  void anInstanceIsNotReadyWhileItsStoreAndBrokerAreDownAndReadyAgainAfter() throws Exception {
    assertEquals(200, get(admin(), "/health/ready", TOKEN).statusCode());
    ChatConfig loginConfig = login.config();
    login.close();

    until("the instance reports its store and broker down", 30, () -> {
      HttpResponse<String> ready = get(admin(), "/health/ready", TOKEN);
      return ready.statusCode() == 503 && down(ready.body(), "store") && down(ready.body(), "broker");
    });
    assertEquals(200, get(admin(), "/health/live", TOKEN).statusCode(), "alive all the same");

    login = RunningService.start(loginConfig);
    until("the instance is ready again", 30, () -> get(admin(), "/health/ready", TOKEN).statusCode() == 200);
  }

  private static boolean down(String body, String check) {
    return new JsonObject(body).getJsonArray("checks").stream().map(JsonObject.class::cast)
        .anyMatch(c -> c.getString("id").equals(check) && c.getString("status").equals("DOWN"));
  }
}
