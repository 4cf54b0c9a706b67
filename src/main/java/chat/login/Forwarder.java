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
    if (server.host() == null || server.port() <= 0) {
      // a server without an address cannot be reached: treated as one that refuses
      return Future.failedFuture(new java.net.ConnectException("application server " + server.instanceId()
          + " has no address"));
    }
    return client.request(server.host(), server.port(), text);
  }
}
