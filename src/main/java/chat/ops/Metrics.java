package chat.ops;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.ThreadingModel;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.shareddata.LocalMap;
import io.vertx.core.shareddata.Shareable;
import io.vertx.micrometer.MetricsDomain;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * The meters of one process (one Vert.x instance): a Prometheus registry that Vert.x reports
 * into (connections, worker pools, HTTP requests, the JVM), and the service's own groups of
 * meters, each registered once and looked up once by the part that records into it.
 */
public final class Metrics implements Shareable {
  private static final Logger LOG = LoggerFactory.getLogger(Metrics.class);
  private static final String KEY = "chat.metrics";

  private final PrometheusMeterRegistry registry;
  private final Map<Object, Object> groups = new ConcurrentHashMap<>();
  /** The JVM's figures being bound, or bound; null until {@link #bindJvm} is first called. */
  private Future<Void> jvmBinding;

  private Metrics(PrometheusMeterRegistry registry) {
    this.registry = registry;
  }

  /**
   * A Vert.x that reports into a registry of its own, with the JVM's figures ({@link JvmMetrics},
   * bound a moment later on a worker). Left out: the event bus (every login crosses it, and its
   * figures would say nothing the login meters do not) and TCP clients (each process has
   * several, the broker links among them, and Vert.x counts the connections of only the first).
   */
  public static Vertx vertx(VertxOptions options) {
    return vertx(options, true);
  }

  /**
   * As {@link #vertx(VertxOptions)}; with {@code jvmNow} false the JVM's figures wait for
   * {@link #bindJvm}: an application instance binds them when its metrics are first asked for,
   * since bound beside its start they delay its registration (docs/PERFORMANCE.md, tenth round).
   */
  public static Vertx vertx(VertxOptions options, boolean jvmNow) {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    MicrometerMetricsOptions metrics = new MicrometerMetricsOptions()
        .setEnabled(true)
        .addDisabledMetricsCategory(MetricsDomain.EVENT_BUS)
        .addDisabledMetricsCategory(MetricsDomain.NET_CLIENT)
        .addDisabledMetricsCategory(MetricsDomain.DATAGRAM_SOCKET);
    Vertx vertx = Vertx.builder().with(options.setMetricsOptions(metrics))
        .withMetrics(new MicrometerMetricsFactory(registry)).build();
    attach(vertx, new Metrics(registry));
    if (jvmNow) {
      bindJvm(vertx);
    }
    return vertx;
  }

  /**
   * Binds the JVM's figures into the registry of {@code vertx}, on a worker, once per registry
   * (they go with the Vert.x); completes when they are bound, or could not be (logged).
   */
  public static Future<Void> bindJvm(Vertx vertx) {
    Metrics m = of(vertx);
    synchronized (m) {
      if (m.jvmBinding == null) {
        m.jvmBinding = vertx.deployVerticle(new JvmMetrics(m.registry),
                new DeploymentOptions().setThreadingModel(ThreadingModel.WORKER))
            .onFailure(e -> LOG.warn("the JVM's figures are not in the metrics: {}", e.toString()))
            .<Void>mapEmpty().otherwiseEmpty();
      }
      return m.jvmBinding;
    }
  }

  /**
   * The metrics of {@code vertx}: those it was built with by {@link #vertx}, else a registry of
   * the service's own meters only (Vert.x then reports nothing).
   */
  public static Metrics of(Vertx vertx) {
    LocalMap<String, Metrics> map = vertx.sharedData().getLocalMap(KEY);
    Metrics m = map.get(KEY);
    if (m == null) {
      Metrics fresh = new Metrics(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
      m = map.putIfAbsent(KEY, fresh);
      return m == null ? fresh : m;
    }
    return m;
  }

  private static void attach(Vertx vertx, Metrics metrics) {
    vertx.sharedData().<String, Metrics>getLocalMap(KEY).put(KEY, metrics);
  }

  public PrometheusMeterRegistry registry() {
    return registry;
  }

  /**
   * The one group of meters under {@code key}, made on first use: a gauge holds its source, so
   * a second group of one kind would leave its gauges unread.
   */
  @SuppressWarnings("unchecked")
  public <T> T group(Object key, Function<MeterRegistry, T> make) {
    return (T) groups.computeIfAbsent(key, k -> make.apply(registry));
  }

  /** The meters of the commands a role answers ({@code app} or {@code login}). */
  public CommandMeters commands(String role) {
    return group("commands." + role, r -> new CommandMeters(r, role));
  }

  public LoginMeters logins() {
    return group(LoginMeters.class, LoginMeters::new);
  }

  public DeliveryMeters deliveries() {
    return group(DeliveryMeters.class, DeliveryMeters::new);
  }
}
