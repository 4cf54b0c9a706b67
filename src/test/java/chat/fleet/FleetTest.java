package chat.fleet;

import chat.config.ChatConfig;
import chat.messaging.EmbeddedBroker;
import chat.support.RunningService;
import chat.support.TestServers;
import io.vertx.amqp.AmqpClient;
import io.vertx.amqp.AmqpClientOptions;
import io.vertx.amqp.AmqpMessage;
import io.vertx.amqp.AmqpSender;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Assignment, scale out and scale in, with application instances in this JVM registering over the broker. */
class FleetTest {
  @TempDir
  Path data;
  @AutoClose
  private RunningService service;

  @Test
  void thirtyConcurrentFirstLoginsStartExactlyThreeInstances() throws Exception {
    service = RunningService.start(data);
    for (int i = 0; i < 30; i++) {
      assertEquals("Success!", service.ask("register u" + i + " p").getString("message"));
    }
    ExecutorService pool = Executors.newFixedThreadPool(30);
    try {
      List<Callable<JsonObject>> logins = new ArrayList<>();
      for (int i = 0; i < 30; i++) {
        String user = "u" + i;
        logins.add(() -> service.ask("login " + user + " p"));
      }
      Set<String> servers = new HashSet<>();
      for (Future<JsonObject> f : pool.invokeAll(logins, 90, TimeUnit.SECONDS)) {
        JsonObject reply = f.get();
        assertEquals("Success!", reply.getString("message"), reply.encode());
        servers.add(reply.getJsonObject("server").getString("id"));
      }
      assertEquals(3, servers.size(), "three servers for thirty users");
      JsonArray list = service.instances();
      assertEquals(3, list.size(), list.encode());
      for (int i = 0; i < list.size(); i++) {
        assertEquals("ready", list.getJsonObject(i).getString("state"));
        assertEquals(10, list.getJsonObject(i).getInteger("users"));
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void loggingInAgainKeepsTheServerAndCountsOnce() throws Exception {
    service = RunningService.start(data, Map.of("fleet.capacity", "2"));
    service.ask("register a p");
    service.ask("register b p");
    String first = service.ask("login a p").getJsonObject("server").getString("id");
    for (int i = 0; i < 49; i++) {
      assertEquals(first, service.ask("login a p").getJsonObject("server").getString("id"));
    }
    assertEquals(first, service.ask("login b p").getJsonObject("server").getString("id"),
        "a counts once: b still fits");
    assertEquals(1, service.instances().size());
  }

  @Test
  void theLoginServersProcessItsFleetAndItsInstancesShareOneBrokerConnection() throws Exception {
    service = RunningService.start(data, Map.of("fleet.capacity", "1"));
    EmbeddedBroker broker = service.server().embeddedBroker();
    service.ask("register s0 p");
    assertEquals("Success!", service.ask("login s0 p").getString("message"));
    int withOne = broker.connections();
    assertEquals(1, withOne, "the messenger, the fleet (control queue, other login servers) and an instance: one link");
    for (int i = 1; i < 4; i++) {
      service.ask("register s" + i + " p");
      assertEquals("Success!", service.ask("login s" + i + " p").getString("message"));
    }
    assertEquals(4, service.instances().size(), service.instances().encode());
    assertEquals(withOne, broker.connections(), "three more instances, no more connections to the broker");
  }

  @Test
  void idleInstancesStopAfterTheGracePeriodAndBusyOnesNever() throws Exception {
    service = RunningService.start(data, Map.of("fleet.capacity", "2", "fleet.graceSeconds", "1", "admin.port", "0"));
    List<String> tokens = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      service.ask("register g" + i + " p");
      tokens.add(service.ask("login g" + i + " p").getString("token"));
    }
    assertEquals(2, service.instances().size());
    // the second instance holds g2 alone; logging g0 and g1 out empties the first
    assertEquals("Bye!", service.ask("logout " + tokens.get(0)).getString("message"));
    assertEquals("Success!", service.ask("delete " + tokens.get(1)).getString("message"));
    long deadline = System.currentTimeMillis() + 10_000;
    while (service.instances().size() > 1 && System.currentTimeMillis() < deadline) {
      Thread.sleep(100);
    }
    JsonArray left = service.instances();
    assertEquals(1, left.size(), left.encode());
    assertEquals(1, left.getJsonObject(0).getInteger("users"));
    // that a busy instance is never drained, however long it runs, is FleetStateTest's to show on its clock
    assertEquals("Success!", service.ask("post " + tokens.get(2) + " still here").getString("message"));
    service.ask("delete " + tokens.get(2));
    deadline = System.currentTimeMillis() + 10_000;
    while (!service.instances().isEmpty() && System.currentTimeMillis() < deadline) {
      Thread.sleep(100);
    }
    assertTrue(service.instances().isEmpty(), "the last idle instance stops too");
  }

  @Test
  void aLoginThatWaitsTooLongFailsClearlyAndLeavesNoAssignment() throws Exception {
    ChatConfig config = TestServers.config(data, Map.of("fleet.provider", "local", "fleet.startTimeoutSeconds", "2"));
    // an instance JVM that cannot start: it never registers
    config.fleet().put("jvmOptions", new JsonArray().add("-XX:+NoSuchOptionAnywhere"));
    service = RunningService.start(config);
    service.ask("register late p");
    JsonObject reply = service.ask("login late p");
    assertEquals(new JsonObject().put("status", 1).put("message", "No application server available, try again later"),
        reply);
    long deadline = System.currentTimeMillis() + 5_000;
    while (!service.instances().isEmpty() && System.currentTimeMillis() < deadline) {
      Thread.sleep(100);
    }
    assertTrue(service.instances().isEmpty(), "the instance that never registered is given up");
    chat.store.Db store = chat.store.Db.open(service.vertx(), config.storeOptions(config.localStoreUrl()));
    try {
      Integer online = store.tx(c -> c.row(
              "SELECT COUNT(*) FROM users WHERE token_hash IS NOT NULL OR instance_id IS NOT NULL").getInteger(0))
          .await(10, TimeUnit.SECONDS);
      assertEquals(0, online, "no token and no assignment were left behind");
    } finally {
      store.close().await(10, TimeUnit.SECONDS);
    }
  }

  /**
   * Another login server started an application process and lost the fleet (a store failing
   * over, say) before it could record it: the process registers here as a stranger, signed. The
   * fleet finds it among the machine's processes by its id, lists it with its pid, and when it
   * drains, it really stops, rather than leaving a process nobody lists.
   */
  @Test
  void anInstanceAnotherLoginServerStartedIsFoundAndReallyStoppedWhenItDrains() throws Exception {
    service = RunningService.start(data, Map.of("fleet.provider", "local", "fleet.graceSeconds", "1"));
    Process stray = chat.support.IdleProcess.start("--role=app", "--instance-id=app-stray");
    try {
      AmqpClient amqp = AmqpClient.create(service.vertx(), new AmqpClientOptions().setHost("127.0.0.1")
          .setPort(service.config().broker().getInteger("amqpPort"))
          .setUsername("chat-app").setPassword(service.secret("broker-app")));
      try {
        AmqpSender sender = amqp.connect().compose(c -> c.createAnonymousSender()).await(10, TimeUnit.SECONDS);
        JsonObject registration = FleetControl.message("register", "app-stray", "127.0.0.1", 1, 10,
            FleetControl.instanceSecret(service.secret("fleet-key"), "app-stray"));
        sender.sendWithAck(AmqpMessage.create().address(FleetControl.ADDRESS).withJsonObjectAsBody(registration)
            .build()).await(10, TimeUnit.SECONDS);
      } finally {
        amqp.close().await(10, TimeUnit.SECONDS);
      }
      List<String> seen = new ArrayList<>();
      // the process ends before the fleet hears that its stop finished: both are waited for
      chat.support.Conditions.await("the stray process stopped by the fleet, and gone from its list", 30_000, () -> {
        JsonArray listed = service.instances();
        listed.forEach(i -> seen.add(((JsonObject) i).getString("provider")));
        return !stray.isAlive() && listed.isEmpty();
      });
      assertTrue(seen.contains(Long.toString(stray.pid())), "listed with its pid while it served: " + seen);
    } finally {
      stray.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void warmSparesAreKeptReady() throws Exception {
    service = RunningService.start(data, Map.of("fleet.warmSpares", "1", "fleet.graceSeconds", "1"));
    long deadline = System.currentTimeMillis() + 10_000;
    while ((service.instances().isEmpty() || !"ready".equals(service.instances().getJsonObject(0).getString("state")))
        && System.currentTimeMillis() < deadline) {
      Thread.sleep(100);
    }
    assertEquals(1, service.instances().size());
    service.ask("register w p");
    service.ask("login w p");
    deadline = System.currentTimeMillis() + 10_000;
    while (service.instances().size() < 2 && System.currentTimeMillis() < deadline) {
      Thread.sleep(100);
    }
    assertEquals(2, service.instances().size(), "a new spare replaces the one taken");
  }

  @Test
  void adminEndpointListsTheFleet() throws Exception {
    int port;
    try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
      port = s.getLocalPort();
    }
    service = RunningService.start(data, Map.of("admin.port", String.valueOf(port)));
    service.ask("register x p");
    JsonObject login = service.ask("login x p");
    HttpResponse<String> r = HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/fleet")).GET().build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(200, r.statusCode());
    JsonObject only = new JsonObject(r.body()).getJsonArray("instances").getJsonObject(0);
    assertEquals(login.getJsonObject("server").getString("id"), only.getString("id"));
    assertEquals("ready", only.getString("state"));
    assertEquals(1, only.getInteger("users"));
    assertEquals("127.0.0.1", only.getString("host"));
    assertEquals(login.getJsonObject("server").getInteger("port"), only.getInteger("port"));
    assertTrue(only.getString("startedAt").endsWith("Z"));
  }
}
