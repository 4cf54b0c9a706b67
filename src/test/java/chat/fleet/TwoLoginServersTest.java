package chat.fleet;

import chat.config.ChatConfig;
import chat.messaging.BrokerLink;
import chat.messaging.BrokerOptions;
import chat.messaging.BrokerSecurity;
import chat.messaging.EmbeddedBroker;
import chat.store.Db;
import chat.store.LeaseRepository;
import chat.store.Schema;
import chat.store.StoreAccess;
import chat.store.StoreServer;
import chat.support.Conditions;
import chat.support.RunningService;
import chat.support.TestServers;
import io.vertx.amqp.AmqpClientOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two login servers on one store and one broker (both outside them, as in production): either
 * answers any user, one drives the fleet, and the other takes the fleet on when it goes.
 */
class TwoLoginServersTest {
  @TempDir
  Path shared;
  @TempDir
  Path dataA;
  @TempDir
  Path dataB;
  private StoreServer store;
  private EmbeddedBroker broker;
  private RunningService first;
  private RunningService second;
  private final Map<String, String> settings = new HashMap<>();

  @BeforeEach
  void startStoreAndBroker() throws Exception {
    ChatConfig own = TestServers.config(shared, Map.of()).withFreePorts();
    String storePassword = "store-" + chat.messaging.Channels.random(8);
    StoreAccess.secureAdministrator(own.localStoreUrl(), "SA", storePassword);
    store = new StoreServer();
    store.start("127.0.0.1", own.store().getInteger("port"), own.databasePath(), 0);
    int amqp = own.broker().getInteger("amqpPort");
    String loginPassword = "login-" + chat.messaging.Channels.random(8);
    String appPassword = "app-" + chat.messaging.Channels.random(8);
    broker = new EmbeddedBroker();
    broker.start(new BrokerOptions("amqp://127.0.0.1:" + amqp, true, "127.0.0.1", amqp,
            own.broker().getInteger("stompPort"), shared.toString(), "chat-login", loginPassword, false, null),
        new BrokerSecurity(new BrokerSecurity.ServiceCredentials("chat-login", loginPassword),
            new BrokerSecurity.ServiceCredentials("chat-app", appPassword), false));
    settings.put("store.url", "jdbc:hsqldb:hsql://127.0.0.1:" + own.store().getInteger("port") + "/chat");
    settings.put("store.user", "SA");
    settings.put("store.password", storePassword);
    settings.put("broker.url", "amqp://127.0.0.1:" + amqp);
    settings.put("broker.user", "chat-login");
    settings.put("broker.password", loginPassword);
    settings.put("broker.appUser", "chat-app");
    settings.put("broker.appPassword", appPassword);
    // what login servers of one service share
    settings.put("tokens.secret", chat.messaging.Channels.random(16));
    settings.put("fleet.key", chat.messaging.Channels.random(16));
    settings.put("fleet.leaseMillis", "1500");
  }

  @AfterEach
  void stopAll() throws Exception {
    for (AutoCloseable c : new AutoCloseable[] {second, first}) {
      if (c != null) {
        c.close();
      }
    }
    if (broker != null) {
      broker.stop();
    }
    if (store != null) {
      store.stop();
    }
  }

  private RunningService loginServer(Path data) throws Exception {
    return RunningService.start(TestServers.config(data, settings));
  }

  /** The whole snapshot as a login server gives it: from its own fleet, or from the one that drives it. */
  private static JsonObject snapshot(RunningService s) throws Exception {
    return s.vertx().eventBus().<JsonObject>request(FleetVerticle.SNAPSHOT, null).await(20, TimeUnit.SECONDS).body();
  }

  @Test
  void eitherLoginServerAnswersAnyUserAndOneDrivesTheFleet() throws Exception {
    first = loginServer(dataA);
    second = loginServer(dataB);
    // what each server's fleet page and metrics are given
    List<Message<JsonObject>> eventsOfFirst = new CopyOnWriteArrayList<>();
    List<Message<JsonObject>> eventsOfSecond = new CopyOnWriteArrayList<>();
    first.vertx().eventBus().<JsonObject>localConsumer(FleetVerticle.EVENTS, eventsOfFirst::add).completion()
        .await(10, TimeUnit.SECONDS);
    second.vertx().eventBus().<JsonObject>localConsumer(FleetVerticle.EVENTS, eventsOfSecond::add).completion()
        .await(10, TimeUnit.SECONDS);
    Map<String, String> tokens = new LinkedHashMap<>();
    Set<String> servers = new HashSet<>();
    for (int i = 0; i < 6; i++) {
      RunningService via = i % 2 == 0 ? first : second;
      assertEquals("Success!", via.message("register u" + i + " p"));
      JsonObject login = via.ask("login u" + i + " p");
      assertEquals("Success!", login.getString("message"), login.encode());
      tokens.put("u" + i, login.getString("token"));
      servers.add(login.getJsonObject("server").getString("id"));
    }
    assertEquals(1, servers.size(), "one fleet: six users share one instance of ten " + servers);
    String instance = servers.iterator().next();
    // both fleet pages show the instance registering: the driver's own event, and the other's relayed
    awaitRegistered(eventsOfFirst, instance);
    awaitRegistered(eventsOfSecond, instance);
    boolean firstDrives = eventsOfFirst.stream().anyMatch(m -> !m.headers().contains(FleetVerticle.RELAYED));
    List<Message<JsonObject>> own = firstDrives ? eventsOfFirst : eventsOfSecond;
    List<Message<JsonObject>> relayed = firstDrives ? eventsOfSecond : eventsOfFirst;
    assertTrue(own.stream().noneMatch(m -> m.headers().contains(FleetVerticle.RELAYED)), "the driver relays nothing to itself");
    assertTrue(relayed.stream().allMatch(m -> m.headers().contains(FleetVerticle.RELAYED)),
        "the other server's events all come from the driver, marked so that its metrics do not count them");
    JsonObject seenByFirst = snapshot(first);
    JsonObject seenBySecond = snapshot(second);
    assertEquals(seenByFirst, seenBySecond, "the second login server lists the fleet the first drives");
    assertEquals(6, seenByFirst.getJsonArray("instances").getJsonObject(0).getInteger("users"));
    // a token from one login server works through the other
    assertEquals("Success!", second.message("post " + tokens.get("u0") + " hello"));
    assertEquals("Success!", first.message("invite " + tokens.get("u1") + " u2"));
    assertEquals("Success!", second.message("accept-invite " + tokens.get("u2") + " u1"));
    assertEquals("u1", new JsonArray(second.ask("list-friend " + tokens.get("u2")).getJsonArray("friend").encode())
        .getString(0));
  }

  private static void awaitRegistered(List<Message<JsonObject>> events, String instance) throws Exception {
    Conditions.await("a registered event for " + instance, 20_000, () -> events.stream().anyMatch(m ->
        "registered".equals(m.body().getString("event")) && instance.equals(m.body().getString("instance"))));
  }

  /**
   * A login waits on the fleet for its instance to register when its login server loses the
   * fleet lease (a renewal the store could not answer in time, say): the request goes on to the
   * server that drives the fleet next, instead of failing the login with "No application server
   * available". The fleet under test starts instances that never register; the next driver here
   * is a stand-in that answers every forwarded request with its own instance.
   */
  @Test
  void aRequestWaitingOnTheFleetWhenItsServerStepsDownIsAnsweredByTheNextDriver() throws Exception {
    ChatConfig config = TestServers.config(dataA, settings);
    Vertx vertx = Vertx.vertx();
    Db db = Db.open(vertx, config.storeOptions(settings.get("store.url")));
    try {
      Schema.migrate(db).await(60, TimeUnit.SECONDS);
      InstanceProvider neverRegisters = new InstanceProvider() {
        @Override
        public String name() {
          return "never-registers";
        }

        @Override
        public Future<String> start(InstanceSpec spec) {
          return Future.succeededFuture("ref-" + spec.instanceId());
        }

        @Override
        public Future<Void> stop(String providerRef) {
          return Future.succeededFuture();
        }

        @Override
        public Future<List<Leftover>> leftovers() {
          return Future.succeededFuture(List.of());
        }

        @Override
        public Future<String> locate(String instanceId) {
          return Future.succeededFuture(null);
        }

        @Override
        public Future<Void> close() {
          return Future.succeededFuture();
        }
      };
      vertx.deployVerticle(new FleetVerticle(db, neverRegisters, FleetOptions.fromJson(config.fleet()),
          brokerLink(vertx, "fleet under test"), id -> new InstanceSpec(id, settings.get("broker.url"),
          settings.get("store.url"), 10, "chat"), settings.get("fleet.key"), "login-a")).await(30, TimeUnit.SECONDS);
      Conditions.await("login-a drives the fleet", 20_000, () -> "login-a".equals(vertx.eventBus()
          .<JsonObject>request(FleetVerticle.SNAPSHOT, null).await(20, TimeUnit.SECONDS).body().getString("server")));

      Future<Message<JsonObject>> assigned = vertx.eventBus().request(FleetVerticle.ASSIGN,
          new JsonObject().put("user", 1L), new DeliveryOptions().setSendTimeout(60_000));
      Conditions.await("an instance starting for the user", 20_000, () -> vertx.eventBus()
          .<JsonObject>request(FleetVerticle.SNAPSHOT, null).await(20, TimeUnit.SECONDS).body()
          .getJsonArray("instances").size() == 1);
      assertFalse(assigned.isComplete(), "the instance never registers: the request waits");

      // another server has the lease now: login-a's next renewal finds it so and steps down
      db.autoCommit(c -> c.update("UPDATE leases SET holder = ?, expires_at = UNIX_MILLIS() + 60000 WHERE name = ?",
          "login-b", LeaseRepository.FLEET)).await(20, TimeUnit.SECONDS);
      LeaderRequests next = new LeaderRequests(vertx, vertx.getOrCreateContext(), brokerLink(vertx, "next driver"),
          "login-b", 60_000, request -> Future.succeededFuture(new JsonObject()
          .put("answer", new AppAddress("app-of-b", "127.0.0.1", 7777).toJson())));
      next.serve().await(20, TimeUnit.SECONDS);

      assertEquals(new AppAddress("app-of-b", "127.0.0.1", 7777),
          AppAddress.fromJson(assigned.await(60, TimeUnit.SECONDS).body()));
    } finally {
      db.close().await(20, TimeUnit.SECONDS);
      vertx.close().await(30, TimeUnit.SECONDS);
    }
  }

  private BrokerLink brokerLink(Vertx vertx, String name) {
    URI url = URI.create(settings.get("broker.url"));
    return new BrokerLink(vertx, List.of(new AmqpClientOptions().setHost(url.getHost()).setPort(url.getPort())
        .setUsername(settings.get("broker.user")).setPassword(settings.get("broker.password"))), name);
  }

  @Test
  void whenTheDrivingLoginServerStopsTheOtherTakesTheFleetOver() throws Exception {
    first = loginServer(dataA);
    second = loginServer(dataB);
    String leader = snapshot(second).getString("server");
    Map<String, String> tokens = new LinkedHashMap<>();
    for (int i = 0; i < 4; i++) {
      RunningService via = i % 2 == 0 ? first : second;
      via.message("register t" + i + " p");
      tokens.put("t" + i, via.login("t" + i, "p"));
    }
    long stopped = System.currentTimeMillis();
    first.close();
    // every user goes on through the second server: its instance went with the first, so the
    // command finds it unreachable and is served by a new one, started by the new holder
    for (var t : tokens.entrySet()) {
      JsonObject reply = second.ask("post " + t.getValue() + " still here");
      assertEquals("Success!", reply.getString("message"), t.getKey() + ": " + reply.encode());
    }
    long interrupted = System.currentTimeMillis() - stopped;
    JsonObject after = snapshot(second);
    assertNotEquals(leader, after.getString("server"), "the fleet is driven by the second server now");
    assertTrue(interrupted < 20_000, "took over in " + interrupted + " ms");
    assertEquals("Success!", second.message("register late p"));
    assertEquals("Success!", second.ask("login late p").getString("message"));
  }
}
