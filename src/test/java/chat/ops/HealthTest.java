package chat.ops;

import chat.support.Admin;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Readiness over a real listener: not ready before the start is over, nor while a part it needs is down. */
class HealthTest {
  private final Vertx vertx = Metrics.vertx(new io.vertx.core.VertxOptions());

  @AfterEach
  void close() throws Exception {
    vertx.close().await(30, TimeUnit.SECONDS);
  }

  private int listen(Health health) throws Exception {
    OpsVerticle ops = new OpsVerticle("127.0.0.1", 0, null, new OpsRoutes(Metrics.of(vertx), health));
    vertx.deployVerticle(ops).await(10, TimeUnit.SECONDS);
    return ops.port();
  }

  private static String status(HttpResponse<String> response, String check) {
    return new JsonObject(response.body()).getJsonArray("checks").stream().map(JsonObject.class::cast)
        .filter(c -> c.getString("id").equals(check)).findFirst().orElseThrow().getString("status");
  }

  @Test
  void notReadyUntilStartedButLiveAllAlong() throws Exception {
    Health health = new Health(vertx);
    int port = listen(health);
    HttpResponse<String> before = Admin.get(port, "/health/ready", null);
    assertEquals(503, before.statusCode(), before.body());
    assertEquals("DOWN", status(before, "started"));
    assertEquals(200, Admin.get(port, "/health/live", null).statusCode());
    health.started();
    assertEquals(200, Admin.get(port, "/health/ready", null).statusCode());
  }

  @Test
  void notReadyWhileAPartFailsOrDoesNotAnswer() throws Exception {
    AtomicReference<Future<?>> store = new AtomicReference<>(Future.failedFuture("store is down"));
    Health health = new Health(vertx).needs("store", store::get)
        .needs("broker", () -> Promise.promise().future());
    health.started();
    int port = listen(health);
    HttpResponse<String> ready = Admin.get(port, "/health/ready", null);
    assertEquals(503, ready.statusCode());
    assertEquals("DOWN", status(ready, "store"));
    assertEquals("DOWN", status(ready, "broker"), "a part that does not answer in time is down");
    assertEquals(200, Admin.get(port, "/health/live", null).statusCode());
  }
}
