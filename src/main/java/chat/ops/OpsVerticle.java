package chat.ops;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An application instance's admin listener: {@code /metrics} and {@code /health/*} (see
 * {@link OpsRoutes}) on {@code admin.host} (loopback by default) and {@code app.adminPort}
 * (0: any free port, logged). With a token every request must carry
 * {@code Authorization: Bearer TOKEN}; without one it may only listen on loopback.
 */
public final class OpsVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(OpsVerticle.class);
  private final String host;
  private final int port;
  private final String token;
  private final OpsRoutes routes;
  private HttpServer server;

  public OpsVerticle(String host, int port, String token, OpsRoutes routes) {
    this.host = host;
    this.port = port;
    this.token = token;
    this.routes = routes;
  }

  @Override
  public Future<?> start() {
    server = vertx.createHttpServer().requestHandler(routes.router(vertx, token));
    return server.listen(port, host).onSuccess(s -> LOG.info("metrics and health on http://{}:{}/metrics ({})", host,
        s.actualPort(), token == null || token.isEmpty() ? "loopback, no token" : "bearer token required"));
  }

  public int port() {
    return server == null ? -1 : server.actualPort();
  }

  @Override
  public Future<?> stop() {
    return server.close();
  }
}
