package chat.it;

import chat.support.Admin;
import chat.support.RunningService;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static chat.support.Admin.get;
import static chat.support.Admin.value;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The login role's admin endpoint: /metrics after real commands, /health, and its token. */
class MetricsHealthTest {
  @TempDir
  Path data;
  @AutoClose
  private RunningService service;

  private static int free() throws Exception {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  private int start(Map<String, String> settings) throws Exception {
    int admin = free();
    Map<String, String> all = new java.util.HashMap<>(settings);
    all.put("admin.port", String.valueOf(admin));
    service = RunningService.start(data, all);
    return admin;
  }

  @Test
  void metricsShowTheFiguresOfRealCommands() throws Exception {
    int admin = start(Map.of());
    service.message("register ann pw");
    service.message("register bob pw");
    String ann = service.login("ann", "pw");
    String bob = service.login("bob", "pw");
    assertEquals("No such user or password error", service.message("login ann wrong"));
    assertEquals("Success!", service.message("invite " + ann + " bob"));
    assertEquals("Success!", service.message("accept-invite " + bob + " ann"));
    assertEquals("Success!", service.message("send " + ann + " bob hello"));
    assertEquals("Usage: post <user> <message>", service.message("post " + ann));
    assertEquals("bob is already your friend", service.message("invite " + ann + " bob"));

    HttpResponse<String> response = get(admin, "/metrics", null);
    assertEquals(200, response.statusCode());
    assertTrue(response.headers().firstValue("content-type").orElse("").startsWith("text/plain"),
        response.headers().toString());
    String scrape = response.body();
    assertEquals(2, value(scrape, "chat_logins_total{outcome=\"ok\"}"));
    assertEquals(1, value(scrape, "chat_logins_total{outcome=\"failed\"}"));
    assertEquals(0, value(scrape, "chat_logins_total{outcome=\"limited\"}"));
    assertEquals(2, value(scrape, "chat_command_replies_total{command=\"login\",outcome=\"ok\",role=\"login\"}"));
    assertEquals(1, value(scrape, "chat_command_replies_total{command=\"login\",outcome=\"failed\",role=\"login\"}"));
    assertEquals(3, value(scrape, "chat_command_seconds_count{command=\"login\",role=\"login\"}"));
    assertTrue(value(scrape, "chat_command_seconds_sum{command=\"login\",role=\"login\"}") > 0);
    // the login server forwarded these to the application server, which counts them too
    assertEquals(1, value(scrape, "chat_command_replies_total{command=\"send\",outcome=\"ok\",role=\"app\"}"));
    assertEquals(1, value(scrape, "chat_command_replies_total{command=\"invite\",outcome=\"failed\",role=\"app\"}"));
    // the login server answers a usage error itself
    assertEquals(1, value(scrape, "chat_command_replies_total{command=\"post\",outcome=\"failed\",role=\"login\"}"));
    assertEquals(0, value(scrape, "chat_command_seconds_count{command=\"post\",role=\"app\"}"));
    assertEquals(1, value(scrape, "chat_command_seconds_bucket{command=\"send\",role=\"app\",le=\"10.0\"}"));
    assertEquals(1, value(scrape, "chat_deliveries_published_seconds_count"));
    assertEquals(0, value(scrape, "chat_deliveries_failed_total"));
    // the fleet: one instance, started and registered, with both users
    assertEquals(1, value(scrape, "chat_fleet_starts_total"));
    assertEquals(1, value(scrape, "chat_fleet_ready_seconds_count"));
    assertEquals(1, value(scrape, "chat_fleet_instances{state=\"ready\"}"));
    assertEquals(2, value(scrape, "chat_fleet_users"));
    String id = service.instances().getJsonObject(0).getString("id");
    assertEquals(2, value(scrape, "chat_fleet_instance_users{instance=\"" + id + "\"}"));
    // the embedded broker's connections: the login server's links, which its instance shares
    assertTrue(value(scrape, "chat_broker_connections") >= 1);
    assertEquals(service.server().embeddedBroker().connections(), value(scrape, "chat_broker_connections"));
    // the store's pools, Vert.x's worker pools and the JVM
    assertTrue(value(scrape, "chat_store_pool_acquired_total{pool=\"autocommit\"}") > 0);
    assertTrue(value(scrape, "chat_store_pool_connections{pool=\"tx\",state=\"idle\"}") >= 1);
    assertTrue(value(scrape, "vertx_pool_completed_total{pool_name=\"vert.x-worker-thread\",pool_type=\"worker\"}") > 0);
    assertTrue(value(scrape, "jvm_threads_live_threads") > 0);
    assertTrue(scrape.contains("jvm_memory_used_bytes{area=\"heap\""), "heap figures");
  }

  @Test
  void readyOnceStartedWithEveryPartUp() throws Exception {
    int admin = start(Map.of());
    HttpResponse<String> live = get(admin, "/health/live", null);
    assertEquals(200, live.statusCode(), live.body());
    HttpResponse<String> ready = get(admin, "/health/ready", null);
    assertEquals(200, ready.statusCode(), ready.body());
    JsonObject body = new JsonObject(ready.body());
    assertEquals("UP", body.getString("status"));
    List<String> checks = body.getJsonArray("checks").stream().map(c -> ((JsonObject) c).getString("id")).sorted()
        .toList();
    assertEquals(List.of("broker", "fleet", "started", "store"), checks);
  }

  @Test
  void everyAdminPathWantsTheTokenWhenThereIsOne() throws Exception {
    int admin = start(Map.of("admin.token", "s3cret-admin-token"));
    for (String path : List.of("/metrics", "/health/live", "/health/ready", "/fleet", "/nothing-here")) {
      assertEquals(401, get(admin, path, null).statusCode(), path);
      assertEquals(401, get(admin, path, "wrong").statusCode(), path);
    }
    for (String path : List.of("/metrics", "/health/live", "/health/ready", "/fleet")) {
      assertEquals(200, get(admin, path, "s3cret-admin-token").statusCode(), path);
    }
    assertEquals(404, get(admin, "/nothing-here", "s3cret-admin-token").statusCode());
  }
}
