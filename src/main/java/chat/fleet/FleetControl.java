package chat.fleet;

import io.vertx.core.json.JsonObject;

/**
 * The fleet's control messages over the broker: an application instance registers once,
 * then sends heartbeats. The login role's fleet learns of instances only from these.
 */
public final class FleetControl {
  /** An anycast queue: whichever login role is running consumes it. */
  public static final String ADDRESS = "queue://chat.fleet.control";
  public static final String REGISTER = "register";
  public static final String HEARTBEAT = "heartbeat";

  private FleetControl() { }

  public static JsonObject message(String type, String id, String host, int port, int capacity) {
    return new JsonObject().put("type", type).put("id", id).put("host", host).put("port", port)
        .put("capacity", capacity).put("at", System.currentTimeMillis());
  }
}
