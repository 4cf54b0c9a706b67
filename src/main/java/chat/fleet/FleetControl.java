package chat.fleet;

import chat.config.Secrets;
import io.vertx.core.json.JsonObject;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import javax.crypto.Mac;

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

  /** CPU of the instance's process over the last interval, in thousandths of its machine. */
  public static final String CPU = "cpuPermille";
  /** Requests the instance answered over the last interval, per minute. */
  public static final String REQUESTS = "requestsPerMinute";

  /**
   * What an instance signs its messages with: its secret, keyed once. The key is made while the
   * instance starts, beside its connections to the store and the broker, so that its
   * registration does not wait for the JVM's first MAC (its security providers' set-up). A Mac
   * holds its state while it signs, so one text is signed at a time: an agent whose link opens
   * while it starts registers twice at once, from the link's thread and from its own.
   */
  public static final class Signer {
    private final Mac mac;

    public Signer(String secret) {
      this.mac = Secrets.hmacSha256(secret);
    }

    synchronized String sign(String text) {
      return Secrets.hmacSha256Hex(mac, text);
    }
  }

  public static JsonObject message(String type, String id, String host, int port, int capacity, String secret) {
    return message(type, id, host, port, capacity, null, secret);
  }

  /** A message that also reports the instance's load (null: none), covered by the signature like every field. */
  public static JsonObject message(String type, String id, String host, int port, int capacity, FleetState.Load load,
                                   String secret) {
    return message(type, id, host, port, capacity, load, new Signer(secret));
  }

  /** As {@link #message(String, String, String, int, int, FleetState.Load, String)}, signed by {@code signer}. */
  public static JsonObject message(String type, String id, String host, int port, int capacity, FleetState.Load load,
                                   Signer signer) {
    JsonObject m = new JsonObject().put("type", type).put("id", id).put("host", host).put("port", port)
        .put("capacity", capacity).put("at", System.currentTimeMillis());
    if (load != null) {
      m.put(CPU, (int) Math.round(Math.min(1, Math.max(0, load.cpu())) * 1000))
          .put(REQUESTS, (int) Math.min(Integer.MAX_VALUE, Math.round(Math.max(0, load.requestsPerSecond()) * 60)));
    }
    return m.put("mac", signer.sign(canonical(m)));
  }

  /** The load a valid message reports, or null when it reports none. */
  public static FleetState.Load load(JsonObject m) {
    Integer cpu = m.getInteger(CPU);
    Integer requests = m.getInteger(REQUESTS);
    return cpu == null || requests == null ? null : new FleetState.Load(cpu / 1000.0, requests / 60.0);
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
          || m.getString("host") == null || m.getInteger("port") == null || m.getInteger("capacity") == null
          || m.containsKey(CPU) != m.containsKey(REQUESTS) || (m.containsKey(CPU)
          && (m.getInteger(CPU) == null || m.getInteger(CPU) < 0 || m.getInteger(CPU) > 1000
          || m.getInteger(REQUESTS) == null || m.getInteger(REQUESTS) < 0))) {
        return false;
      }
      return MessageDigest.isEqual(mac.getBytes(StandardCharsets.UTF_8),
          mac(secret, canonical(m)).getBytes(StandardCharsets.UTF_8));
    } catch (ClassCastException e) {
      return false;
    }
  }

  /** The signed text: every field, the load's too when the message reports it (instances of earlier releases do not). */
  private static String canonical(JsonObject m) {
    String fields = String.join("\n", m.getString("type"), m.getString("id"), m.getString("host"),
        String.valueOf(m.getInteger("port")), String.valueOf(m.getInteger("capacity")), String.valueOf(m.getLong("at")));
    return m.containsKey(CPU) ? fields + "\n" + m.getInteger(CPU) + "\n" + m.getInteger(REQUESTS) : fields;
  }

  private static String mac(String key, String text) {
    return Secrets.hmacSha256Hex(key, text);
  }
}
