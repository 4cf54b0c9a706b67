package chat.login;

import chat.fleet.AppAddress;
import chat.wire.WireClient;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

/** Passes a request to an application server over the same wire protocol clients use. */
public final class Forwarder {
  private final WireClient client;

  public Forwarder(WireClient client) {
    this.client = client;
  }

  public Future<JsonObject> forward(AppAddress server, String text) {
    return client.request(server.host(), server.port(), text);
  }
}
