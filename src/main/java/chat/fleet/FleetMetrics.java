package chat.fleet;

import chat.ops.Metrics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The fleet's figures. Events, counted as the fleet publishes them ({@link FleetVerticle#EVENTS}):
 * instances started, stopped (drained or left by a previous run), lost, and the time from an
 * instance's start to its registration. Gauges, read from the fleet's snapshot
 * ({@link FleetVerticle#SNAPSHOT}) just before each scrape: instances by state, users per
 * instance and in all.
 */
public final class FleetMetrics {
  private static final InstanceState[] STATES = InstanceState.values();
  /** How a registration says how long its instance took since it was started. */

  private final Counter starts;
  private final Counter stops;
  private final Counter losses;
  private final Timer toReady;
  private final MultiGauge usersPerInstance;
  /** Instances by state, by ordinal, as of the last snapshot. */
  private final int[] byState = new int[STATES.length];
  private volatile int users;
  private boolean watching;

  FleetMetrics(MeterRegistry registry) {
    starts = Counter.builder("chat.fleet.starts").description("instances started").register(registry);
    stops = Counter.builder("chat.fleet.stops").description("instances stopped").register(registry);
    losses = Counter.builder("chat.fleet.losses").description("instances lost (no heartbeat)").register(registry);
    toReady = Timer.builder("chat.fleet.ready").description("time from an instance's start to its registration")
        .serviceLevelObjectives(Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofSeconds(2),
            Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofSeconds(60),
            Duration.ofSeconds(120))
        .register(registry);
    for (InstanceState s : STATES) {
      Gauge.builder("chat.fleet.instances", this, m -> m.instances(s)).description("instances by state")
          .tag("state", s.name().toLowerCase(Locale.ROOT)).register(registry);
    }
    Gauge.builder("chat.fleet.users", this, m -> m.users).description("users assigned to an instance")
        .register(registry);
    usersPerInstance = MultiGauge.builder("chat.fleet.instance.users").description("users assigned, per instance")
        .register(registry);
  }

  /** The fleet metrics of the process {@code vertx} runs in. */
  public static FleetMetrics of(Vertx vertx) {
    return Metrics.of(vertx).group(FleetMetrics.class, FleetMetrics::new);
  }

  /** Counts the fleet events published in this process from now on; once, however often asked. */
  public synchronized FleetMetrics watch(Vertx vertx) {
    if (!watching) {
      watching = true;
      vertx.eventBus().<JsonObject>localConsumer(FleetVerticle.EVENTS, m -> {
        if (!m.headers().contains(FleetVerticle.RELAYED)) {
          noted(m.body());
        }
      });
    }
    return this;
  }

  /** One fleet event: {@code {"event":"registered","instance":…,"millis":812,…}}. */
  void noted(JsonObject event) {
    switch (event.getString("event", "")) {
      case "started" -> started();
      case "stopped" -> stopped();
      case "lost" -> lost();
      case "registered" -> {
        Long millis = event.getLong("millis");
        if (millis != null) {
          ready(Duration.ofMillis(millis));
        }
      }
      default -> { }
    }
  }

  public void started() {
    starts.increment();
  }

  public void stopped() {
    stops.increment();
  }

  public void lost() {
    losses.increment();
  }

  /** An instance registered {@code afterStart} after it was started. */
  public void ready(Duration afterStart) {
    toReady.record(afterStart);
  }

  /** Asks the fleet for its snapshot and sets the gauges from it; they keep their values when it does not answer. */
  public Future<Void> refresh(Vertx vertx) {
    return vertx.eventBus().<JsonObject>request(FleetVerticle.SNAPSHOT, null, new DeliveryOptions().setSendTimeout(2_000))
        .map(m -> {
          apply(m.body());
          return null;
        });
  }

  /** Sets the gauges from a snapshot: {@code {"instances":[{"id":…,"state":"ready","users":3,…},…]}}. */
  synchronized void apply(JsonObject snapshot) {
    int[] counts = new int[STATES.length];
    int total = 0;
    List<MultiGauge.Row<?>> rows = new ArrayList<>();
    JsonArray instances = snapshot.getJsonArray("instances", new JsonArray());
    for (int i = 0; i < instances.size(); i++) {
      JsonObject instance = instances.getJsonObject(i);
      InstanceState state = InstanceState.valueOf(instance.getString("state").toUpperCase(Locale.ROOT));
      int n = instance.getInteger("users", 0);
      counts[state.ordinal()]++;
      total += n;
      rows.add(MultiGauge.Row.of(Tags.of("instance", instance.getString("id")), n));
    }
    System.arraycopy(counts, 0, byState, 0, counts.length);
    users = total;
    usersPerInstance.register(rows, true);
  }

  private synchronized int instances(InstanceState state) {
    return byState[state.ordinal()];
  }
}
