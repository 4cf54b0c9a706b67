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
 * {@code GET /fleet}: the instances of the fleet, their state and users, as JSON; the live fleet
 * page ({@link FleetPage}, {@code GET /}); and the routes of {@link OpsRoutes} ({@code /metrics},
 * {@code /health/live}, {@code /health/ready}). {@link AdminAccess} checks every request first:
 * with a token, each must carry it; without one the endpoint may only listen on loopback
 * ({@link chat.config.ChatConfig} sees to that).
 */
public final class AdminVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(AdminVerticle.class);
  private final String host;
  private final int port;
  private final AdminAccess access;
  private final OpsRoutes ops;
  private HttpServer server;
  private FleetPage page;

  public AdminVerticle(String host, int port, String token, OpsRoutes ops) {
    this.host = host;
    this.port = port;
    this.access = new AdminAccess(token);
    this.ops = ops;
  }

  @Override
  public Future<?> start() {
    Router router = ops.router(vertx, access);
    router.get("/fleet").handler(ctx -> onFleet(ctx.request()));
    page = new FleetPage(vertx);
    page.mount(router);
    server = vertx.createHttpServer().requestHandler(router);
    return server.listen(port, host).onSuccess(s -> LOG.info("admin endpoint on http://{}:{}/ ({})",
        host.contains(":") ? "[" + host + "]" : host, s.actualPort(),
        access.tokenRequired() ? "token required" : "loopback, no token"));
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
    page.close();
    return server.close();
  }
}
