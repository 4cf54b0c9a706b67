package chat.fleet;

import io.vertx.core.json.JsonObject;

/** Where a user's application server answers. */
public record AppAddress(String instanceId, String host, int port) {

  public JsonObject toJson() {
    return new JsonObject().put("id", instanceId).put("host", host).put("port", port);
  }

  public static AppAddress fromJson(JsonObject json) {
    return json == null ? null : new AppAddress(json.getString("id"), json.getString("host"), json.getInteger("port"));
  }
}
