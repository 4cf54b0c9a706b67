package chat.fleet;

import io.vertx.core.json.JsonObject;

/**
 * How the fleet behaves.
 *
 * @param capacity            distinct users one instance serves
 * @param warmSpares          empty instances kept running to hide boot time
 * @param graceMillis         how long an instance stays without users before it is stopped
 * @param startTimeoutMillis  how long a login waits for a starting instance
 * @param lostAfterMillis     an instance without a heartbeat this long is lost
 * @param cluster             the name that tags this fleet's instances
 * @param leaseMillis         how long the login server that drives the fleet holds it without renewing: when it
 *                            dies, another takes the fleet on after at most this long
 */
public record FleetOptions(int capacity, int warmSpares, long graceMillis, long startTimeoutMillis,
                           long lostAfterMillis, String cluster, long leaseMillis) {

  public static FleetOptions fromJson(JsonObject f) {
    return new FleetOptions(f.getInteger("capacity", 10), f.getInteger("warmSpares", 0),
        f.getLong("graceSeconds", 10L) * 1000, f.getLong("startTimeoutSeconds", 60L) * 1000,
        f.getLong("lostAfterMillis", 4000L), f.getString("cluster", "chat"),
        f.getLong("leaseMillis", 3000L));
  }
}
