package chat.login;

import chat.fleet.FleetVerticle;
import chat.ops.OpsRoutes;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /fleet}: the instances of the fleet, their state and users, as JSON; and the
 * routes of {@link OpsRoutes} ({@code /metrics}, {@code /health/live}, {@code /health/ready}). With a
 * token, every request must carry {@code Authorization: Bearer TOKEN}; without one the
 * endpoint may only listen on loopback ({@link chat.config.ChatConfig} sees to that).
 */
public final class AdminVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(AdminVerticle.class);
  private final String host;
  private final int port;
  private final String token;
  private final OpsRoutes ops;
  private HttpServer server;

  public AdminVerticle(String host, int port, String token, OpsRoutes ops) {
    this.host = host;
    this.port = port;
    this.token = token == null || token.isEmpty() ? null : token;
    this.ops = ops;
  }

  @Override
  public Future<?> start() {
    Router router = ops.router(vertx, token);
    router.get("/fleet").handler(ctx -> onFleet(ctx.request()));
    server = vertx.createHttpServer().requestHandler(router);
    return server.listen(port, host).onSuccess(s -> LOG.info("admin endpoint on http://{}:{}/fleet ({})", host,
        s.actualPort(), token == null ? "loopback, no token" : "bearer token required"));
  }

  private void onFleet(HttpServerRequest req) {
    vertx.eventBus().<JsonObject>request(FleetVerticle.SNAPSHOT, null).onComplete(ar -> {
      if (ar.succeeded()) {
        req.response().putHeader("content-type", "application/json").end(ar.result().body().encodePrettily());
      } else {
        req.response().setStatusCode(503).end("{\"error\":\"fleet unavailable\"}");
      }
    });
  }

  public int port() {
    return server == null ? -1 : server.actualPort();
  }

  @Override
  public Future<?> stop() {
    return server.close();
  }
}
