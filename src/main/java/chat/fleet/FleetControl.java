package chat.fleet;

import chat.config.Secrets;
import io.vertx.core.json.JsonObject;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * The fleet's control messages over the broker: an application instance registers once,
 * then sends heartbeats. The login role's fleet learns of instances only from these.
 *
 * <p>Every message is signed with the instance's own secret, which the login role derives
 * from its fleet key and the instance id and hands over at launch: only an instance the
 * fleet started can register, and nobody can speak for it.
 */
public final class FleetControl {
  /** An anycast queue: whichever login role is running consumes it. */
  public static final String ADDRESS = "queue://chat.fleet.control";
  public static final String REGISTER = "register";
  public static final String HEARTBEAT = "heartbeat";
  /** How far a message's time may be from the login role's clock and still count. */
  public static final long MAX_SKEW_MILLIS = 5 * 60_000;

  private FleetControl() { }

  public static JsonObject message(String type, String id, String host, int port, int capacity, String secret) {
    JsonObject m = new JsonObject().put("type", type).put("id", id).put("host", host).put("port", port)
        .put("capacity", capacity).put("at", System.currentTimeMillis());
    return m.put("mac", mac(secret, canonical(m)));
  }

  /** The secret of instance {@code id}: a keyed hash of the id under the fleet key. */
  public static String instanceSecret(String fleetKey, String id) {
    return mac(fleetKey, "instance:" + id);
  }

  /**
   * Whether {@code m} is a well-formed control message signed with {@code secret} and sent
   * within {@link #MAX_SKEW_MILLIS} of {@code now}. Malformed messages are simply not valid.
   */
  public static boolean valid(JsonObject m, String secret, long now) {
    try {
      String mac = m.getString("mac");
      Long at = m.getLong("at");
      if (mac == null || at == null || Math.abs(now - at) > MAX_SKEW_MILLIS || m.getString("id") == null
          || m.getString("host") == null || m.getInteger("port") == null || m.getInteger("capacity") == null) {
        return false;
      }
      return MessageDigest.isEqual(mac.getBytes(StandardCharsets.UTF_8),
          mac(secret, canonical(m)).getBytes(StandardCharsets.UTF_8));
    } catch (ClassCastException e) {
      return false;
    }
  }

  private static String canonical(JsonObject m) {
    return String.join("\n", m.getString("type"), m.getString("id"), m.getString("host"),
        String.valueOf(m.getInteger("port")), String.valueOf(m.getInteger("capacity")), String.valueOf(m.getLong("at")));
  }

  private static String mac(String key, String text) {
    return Secrets.hmacSha256Hex(key, text);
  }
}
