package chat.login;

import chat.fleet.FleetVerticle;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@code GET /fleet}: the instances of the fleet, their state and users, as JSON. */
public final class AdminVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(AdminVerticle.class);
  private final String host;
  private final int port;
  private HttpServer server;

  public AdminVerticle(String host, int port) {
    this.host = host;
    this.port = port;
  }

  @Override
  public Future<?> start() {
    server = vertx.createHttpServer().requestHandler(req -> {
      if (!"/fleet".equals(req.path()) || req.method() != io.vertx.core.http.HttpMethod.GET) {
        req.response().setStatusCode(404).end("{\"error\":\"GET /fleet\"}");
        return;
      }
      vertx.eventBus().<JsonObject>request(FleetVerticle.SNAPSHOT, null).onComplete(ar -> {
        if (ar.succeeded()) {
          req.response().putHeader("content-type", "application/json").end(ar.result().body().encodePrettily());
        } else {
          req.response().setStatusCode(503).end("{\"error\":\"fleet unavailable\"}");
        }
      });
    });
    return server.listen(port, host).onSuccess(s -> LOG.info("admin endpoint on http://{}:{}/fleet", host, s.actualPort()));
  }

  @Override
  public Future<?> stop() {
    return server.close();
  }
}
