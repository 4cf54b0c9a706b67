package chat.wire;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.SocketAddress;

/**
 * Answers one request text with one JSON reply. {@code local} is the address the client
 * reached, {@code remote} the client's own address.
 */
@FunctionalInterface
public interface RequestHandler {
  Future<JsonObject> handle(String text, SocketAddress local, SocketAddress remote);
}
