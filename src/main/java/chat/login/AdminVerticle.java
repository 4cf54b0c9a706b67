package chat.login;

import chat.fleet.FleetVerticle;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * {@code GET /fleet}: the instances of the fleet, their state and users, as JSON. With a
 * token, every request must carry {@code Authorization: Bearer TOKEN}; without one the
 * endpoint may only listen on loopback ({@link chat.config.ChatConfig} sees to that).
 */
public final class AdminVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(AdminVerticle.class);
  private final String host;
  private final int port;
  private final byte[] token;
  private HttpServer server;

  public AdminVerticle(String host, int port, String token) {
    this.host = host;
    this.port = port;
    this.token = token == null || token.isEmpty() ? null : ("Bearer " + token).getBytes(StandardCharsets.UTF_8);
  }

  @Override
  public Future<?> start() {
    server = vertx.createHttpServer().requestHandler(this::onRequest);
    return server.listen(port, host).onSuccess(s -> LOG.info("admin endpoint on http://{}:{}/fleet ({})", host,
        s.actualPort(), token == null ? "loopback, no token" : "bearer token required"));
  }

  private void onRequest(HttpServerRequest req) {
    if (!authorized(req)) {
      req.response().setStatusCode(401).putHeader("WWW-Authenticate", "Bearer")
          .end("{\"error\":\"a bearer token is required\"}");
      return;
    }
    if (!"/fleet".equals(req.path()) || req.method() != HttpMethod.GET) {
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
  }

  private boolean authorized(HttpServerRequest req) {
    if (token == null) {
      return true;
    }
    String given = req.getHeader(HttpHeaders.AUTHORIZATION);
    return given != null && MessageDigest.isEqual(token, given.getBytes(StandardCharsets.UTF_8));
  }

  @Override
  public Future<?> stop() {
    return server.close();
  }
}
