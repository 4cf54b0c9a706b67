package chat.client;

import chat.config.ChatConfig;
import chat.fleet.FleetVerticle;
import chat.messaging.Channels;
import chat.messaging.EmbeddedBroker;
import chat.store.StoreAccess;
import chat.store.StoreServer;
import chat.support.RunningService;
import chat.support.TestServers;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two login servers on one store, each embedding one broker of a replicated pair. The
 * primary's broker dies while its login server, the fleet it drives and the instance it runs
 * go on: the fleet's control link, the instance's heartbeats, its publisher and a real
 * client's subscriptions all move to the backup, and the client sees nothing but its lines.
 */
class BrokerPairFailoverTest {
  @TempDir
  Path shared;
  @TempDir
  Path dataA;
  @TempDir
  Path dataB;
  private StoreServer store;
  private RunningService primary;
  private RunningService backup;
  private final Map<String, String> settings = new HashMap<>();
  private final Map<String, String> primarySettings = new HashMap<>();
  private final Map<String, String> backupSettings = new HashMap<>();

  @BeforeEach
  void startStore() throws Exception {
    ChatConfig own = TestServers.config(shared, Map.of()).withFreePorts();
    String storePassword = "store-" + Channels.random(8);
    StoreAccess.secureAdministrator(own.localStoreUrl(), "SA", storePassword);
    store = new StoreServer();
    store.start("127.0.0.1", own.store().getInteger("port"), own.databasePath(), 0);
    settings.put("store.url", "jdbc:hsqldb:hsql://127.0.0.1:" + own.store().getInteger("port") + "/chat");
    settings.put("store.user", "SA");
    settings.put("store.password", storePassword);
    // what the login servers of one service share: the broker's principals and the pair's password among them
    settings.put("broker.user", "chat-login");
    settings.put("broker.password", "login-" + Channels.random(8));
    settings.put("broker.appUser", "chat-app");
    settings.put("broker.appPassword", "app-" + Channels.random(8));
    settings.put("broker.clusterPassword", "cluster-" + Channels.random(8));
    settings.put("tokens.secret", Channels.random(16));
    settings.put("fleet.key", Channels.random(16));
    settings.put("fleet.leaseMillis", "1500");
    ChatConfig a = TestServers.config(dataA, Map.of("broker.clusterPort", "0")).withFreePorts();
    ChatConfig b = TestServers.config(dataB, Map.of("broker.clusterPort", "0")).withFreePorts();
    settings.put("broker.url", "amqp://127.0.0.1:" + a.broker().getInteger("amqpPort") + ",amqp://127.0.0.1:"
        + b.broker().getInteger("amqpPort"));
    pairSide(primarySettings, "primary", a, b);
    pairSide(backupSettings, "backup", b, a);
  }

  private void pairSide(Map<String, String> side, String role, ChatConfig own, ChatConfig peer) {
    side.putAll(settings);
    side.put("broker.ha", role);
    for (String key : new String[] {"amqpPort", "stompPort", "clusterPort"}) {
      side.put("broker." + key, String.valueOf(own.broker().getInteger(key)));
    }
    side.put("broker.peer", "127.0.0.1:" + peer.broker().getInteger("clusterPort"));
  }

  @AfterEach
  void stopAll() throws Exception {
    for (AutoCloseable c : new AutoCloseable[] {backup, primary}) {
      if (c != null) {
        c.close();
      }
    }
    if (store != null) {
      store.stop();
    }
  }

  @Test
  void whenThePrimaryBrokerDiesEverythingGoesOnThroughTheBackup() throws Exception {
    primary = RunningService.start(TestServers.config(dataA, primarySettings));
    backup = RunningService.start(TestServers.config(dataB, backupSettings));
    EmbeddedBroker first = primary.server().embeddedBroker();
    EmbeddedBroker second = backup.server().embeddedBroker();
    waitFor(() -> first.replicating() && second.replicating(), "the pair is in step", 30_000);
    List<JsonObject> events = new CopyOnWriteArrayList<>();
    primary.vertx().eventBus().<JsonObject>consumer(FleetVerticle.EVENTS, m -> events.add(m.body()));

    JsonObject reply = primary.ask("register probe p");
    assertEquals("Success!", reply.getString("message"));
    JsonObject login = primary.ask("login probe p");
    assertEquals(new JsonArray(List.of(settings.get("broker.url").split(","))), login.getJsonArray("brokers"),
        "the login reply names both brokers");
    assertEquals(login.getJsonArray("brokers").getString(0), login.getString("broker"));

    ClientHarness client = new ClientHarness(primary.loginPort());
    client.type("register ann pa", "register bob pb", "login ann pa", "login bob pb", "invite ann bob",
        "accept-invite bob ann", "create-group ann g", "join-group bob g", "send ann bob before");
    client.awaitLines(10, 60_000);
    JsonArray before = primary.instances();
    assertEquals(1, before.size(), before.encode());

    long killed = System.nanoTime();
    first.halt();
    waitFor(second::live, "the backup's broker becomes live", 30_000);
    long live = System.nanoTime();
    client.type("send ann bob after", "send-group bob g all of us");
    client.awaitLines(15, 60_000);
    long delivered = System.nanoTime();
    // the instance would be lost fleet.lostAfterMillis (4 s) after its last heartbeat: let more than that pass
    long lostAfterNanos = primary.config().fleet().getLong("lostAfterMillis") * 1_000_000;
    waitFor(() -> System.nanoTime() - killed > lostAfterNanos * 3 / 2, "a heartbeat window and a half", 20_000);
    List<String> lines = client.exit(60_000);
    assertEquals(List.of("Success!", "Success!", "Success!", "Success!", "Success!", "Success!", "Success!",
        "Success!", "Success!", "<<<ann->bob: before>>>", "Success!", "<<<ann->bob: after>>>", "Success!",
        "<<<bob->GROUP<g>: all of us>>>", "<<<bob->GROUP<g>: all of us>>>"), lines);
    JsonArray after = primary.instances();
    assertEquals(before.getJsonObject(0).getString("id"), after.getJsonObject(0).getString("id"),
        "the same instance serves them: its heartbeats reached the fleet through the backup");
    assertEquals("ready", after.getJsonObject(0).getString("state"), after.encode());
    assertFalse(events.stream().anyMatch(e -> "lost".equals(e.getString("event"))), events.toString());
    assertEquals("Success!", backup.message("register late p"), "the other login server goes on too");
    assertEquals("Success!", backup.ask("login late p").getString("message"));
    long liveMs = (live - killed) / 1_000_000;
    long deliveredMs = (delivered - killed) / 1_000_000;
    System.out.printf("broker pair under two login servers: backup live %d ms after the primary's broker died; "
        + "the client's next send and group send delivered %d ms after it%n", liveMs, deliveredMs);
    assertTrue(deliveredMs < 15_000, deliveredMs + " ms");
  }

  private static void waitFor(BooleanSupplier condition, String what, long millis) throws InterruptedException {
    long deadline = System.currentTimeMillis() + millis;
    while (!condition.getAsBoolean()) {
      assertTrue(System.currentTimeMillis() < deadline, "timed out waiting: " + what);
      Thread.sleep(10);
    }
  }
}
