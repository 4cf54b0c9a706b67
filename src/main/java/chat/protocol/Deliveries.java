package chat.protocol;

import io.vertx.core.json.JsonObject;

/** Delivery bodies as the 2018 reference client reads them (PROTOCOL.md section 7). */
public final class Deliveries {
  public static final int DIRECT = 0;
  public static final int GROUP = 1;

  private Deliveries() { }

  public static JsonObject direct(String from, String to, String message) {
    return body(DIRECT, from, to, message);
  }

  public static JsonObject group(String from, String group, String message) {
    return body(GROUP, from, group, message);
  }

  private static JsonObject body(int type, String from, String to, String message) {
    return new JsonObject().put("type", type).put("from", from).put("to", to).put("message", message);
  }
}
