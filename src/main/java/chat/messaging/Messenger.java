package chat.messaging;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

/** Publishes chat deliveries. The one seam between the application commands and the broker. */
public interface Messenger {

  /** Sends {@code body} to a user's personal channel. */
  Future<Void> direct(String channel, JsonObject body);

  /** Sends {@code body} to every subscriber of a group channel. */
  Future<Void> group(String channel, JsonObject body);
}
