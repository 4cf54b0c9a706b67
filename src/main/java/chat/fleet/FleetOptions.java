package chat.fleet;

import io.vertx.core.json.JsonObject;

import java.util.Locale;

/**
 * How the fleet behaves.
 *
 * @param capacity            distinct users one instance serves (by measured load: at most this many)
 * @param warmSpares          empty instances kept running to hide boot time
 * @param graceMillis         how long an instance stays without users before it is stopped
 * @param startTimeoutMillis  how long a login waits for a starting instance
 * @param lostAfterMillis     an instance without a heartbeat this long is lost
 * @param cluster             the name that tags this fleet's instances
 * @param leaseMillis         how long the login server that drives the fleet holds it without renewing: when it
 *                            dies, another takes the fleet on after at most this long
 * @param consolidateMillis   the stabilisation window of consolidation: instances in service must exceed what
 *                            the busiest moment of the last window needed, for a whole window, before users are
 *                            moved off the least-loaded ones (0: never)
 * @param sizing              what an instance's room is measured in: distinct users, or the load it reports
 */
public record FleetOptions(int capacity, int warmSpares, long graceMillis, long startTimeoutMillis,
                           long lostAfterMillis, String cluster, long leaseMillis, long consolidateMillis,
                           Sizing sizing) {

  /** The fleet without consolidation, sized by users. */
  public FleetOptions(int capacity, int warmSpares, long graceMillis, long startTimeoutMillis, long lostAfterMillis,
                      String cluster, long leaseMillis) {
    this(capacity, warmSpares, graceMillis, startTimeoutMillis, lostAfterMillis, cluster, leaseMillis, 0,
        Sizing.USERS);
  }

  /** The same options with another consolidation window. */
  public FleetOptions withConsolidation(long millis) {
    return new FleetOptions(capacity, warmSpares, graceMillis, startTimeoutMillis, lostAfterMillis, cluster,
        leaseMillis, millis, sizing);
  }

  /** The same options with another way of sizing. */
  public FleetOptions withSizing(Sizing other) {
    return new FleetOptions(capacity, warmSpares, graceMillis, startTimeoutMillis, lostAfterMillis, cluster,
        leaseMillis, consolidateMillis, other);
  }

  /** The same options with another number of warm spares. */
  public FleetOptions withWarmSpares(int spares) {
    return new FleetOptions(capacity, spares, graceMillis, startTimeoutMillis, lostAfterMillis, cluster,
        leaseMillis, consolidateMillis, sizing);
  }

  public static FleetOptions fromJson(JsonObject f) {
    return new FleetOptions(f.getInteger("capacity", 10), f.getInteger("warmSpares", 0),
        f.getLong("graceSeconds", 10L) * 1000, f.getLong("startTimeoutSeconds", 60L) * 1000,
        f.getLong("lostAfterMillis", 4000L), f.getString("cluster", "chat"),
        f.getLong("leaseMillis", 3000L), f.getLong("consolidateSeconds", 60L) * 1000, Sizing.fromJson(f));
  }

  /**
   * How full an instance is. {@code USERS}: its distinct users over {@code capacity} (the
   * seed's rule). {@code LOAD}: what it reports in its heartbeats, the larger of its CPU over
   * {@code targetCpu} and its requests per second over {@code targetRequestsPerSecond}, with
   * {@code capacity} users as a ceiling.
   */
  public record Sizing(Mode mode, double targetCpu, double targetRequestsPerSecond) {
    public static final Sizing USERS = new Sizing(Mode.USERS, 0.6, 200);

    public enum Mode { USERS, LOAD }

    public boolean byLoad() {
      return mode == Mode.LOAD;
    }

    static Sizing fromJson(JsonObject f) {
      String mode = f.getString("capacityMode", "users").toUpperCase(Locale.ROOT);
      JsonObject load = f.getJsonObject("load", new JsonObject());
      Sizing s;
      try {
        s = new Sizing(Mode.valueOf(mode), load.getDouble("targetCpu", 0.6),
            load.getDouble("targetRequestsPerSecond", 200.0));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("fleet.capacityMode must be users or load, not "
            + f.getString("capacityMode"));
      }
      if (!(s.targetCpu > 0 && s.targetCpu <= 1) || !(s.targetRequestsPerSecond > 0)) {
        throw new IllegalArgumentException(
            "fleet.load.targetCpu must be in (0, 1] and fleet.load.targetRequestsPerSecond above 0");
      }
      return s;
    }
  }
}
