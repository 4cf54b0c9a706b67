package chat.ops;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.healthchecks.HealthCheckHandler;
import io.vertx.micrometer.PrometheusScrapingHandler;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.function.Supplier;

/**
 * The routes every role's admin listener serves: {@code GET /metrics} (Prometheus text),
 * {@code GET /health/live} and {@code GET /health/ready} (200 when up, 503 when not, with each
 * check's status as JSON), behind the listener's bearer token when it has one.
 */
public final class OpsRoutes {
  private final Metrics metrics;
  private final Health health;
  private final Supplier<Future<?>> beforeScrape;

  /** {@code beforeScrape} brings gauges that are read from elsewhere up to date; it may fail. */
  public OpsRoutes(Metrics metrics, Health health, Supplier<Future<?>> beforeScrape) {
    this.metrics = metrics;
    this.health = health;
    this.beforeScrape = beforeScrape;
  }

  public OpsRoutes(Metrics metrics, Health health) {
    this(metrics, health, Future::succeededFuture);
  }

  /**
   * A router whose every route, those added to it later included, first checks {@code token}
   * (none: every request passes; the listener is then on loopback), with this class's routes
   * and a JSON answer for paths it does not know.
   */
  public Router router(Vertx vertx, String token) {
    return router(vertx, bearer(token));
  }

  /** The same with {@code access} deciding, before every route, who may use it. */
  public Router router(Vertx vertx, Handler<RoutingContext> access) {
    Router router = Router.router(vertx);
    router.route().handler(access);
    Handler<RoutingContext> scrape = PrometheusScrapingHandler.create(metrics.registry());
    router.get("/metrics").handler(ctx -> beforeScrape.get().onComplete(x -> scrape.handle(ctx)));
    router.get("/health/live").handler(HealthCheckHandler.createWithHealthChecks(health.live()));
    router.get("/health/ready").handler(HealthCheckHandler.createWithHealthChecks(health.ready()));
    router.errorHandler(404, ctx -> ctx.response().setStatusCode(404)
        .putHeader(HttpHeaders.CONTENT_TYPE, "application/json").end("{\"error\":\"not found\"}"));
    return router;
  }

  /** Lets a request through only with {@code Authorization: Bearer TOKEN}, when there is a token. */
  static Handler<RoutingContext> bearer(String token) {
    if (token == null || token.isEmpty()) {
      return RoutingContext::next;
    }
    byte[] expected = ("Bearer " + token).getBytes(StandardCharsets.UTF_8);
    return ctx -> {
      String given = ctx.request().getHeader(HttpHeaders.AUTHORIZATION);
      if (given != null && MessageDigest.isEqual(expected, given.getBytes(StandardCharsets.UTF_8))) {
        ctx.next();
      } else {
        ctx.response().setStatusCode(401).putHeader("WWW-Authenticate", "Bearer")
            .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
            .end("{\"error\":\"a bearer token is required\"}");
      }
    };
  }
}
