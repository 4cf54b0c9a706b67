package chat.login;

import chat.fleet.AppAddress;
import chat.wire.WireClient;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.net.ConnectException;

/** Passes a request to an application server over the same wire protocol clients use. */
public final class Forwarder {
  private final WireClient client;

  public Forwarder(WireClient client) {
    this.client = client;
  }

  /** What to do when a forward got no answer. */
  public enum Next {
    /** Send it to the user's new server. */
    TO_NEW_SERVER,
    /** Tell the fleet the server is unreachable, then send it to the user's server, new or not. */
    SUSPECT,
    /** Let the client try again. */
    FAIL
  }

  /**
   * After a forward to {@code tried} failed with {@code failure}, {@code now} being the user's
   * server by then:
   * <ul>
   *   <li>no answer, and the user has another server by now (consolidation moved them, and the
   *   old server was stopped, which answers every request it read): the request was not done,
   *   and goes to the new one;</li>
   *   <li>the server could not be reached: it was lost;</li>
   *   <li>otherwise (a late answer, or one cut off by a server that may have died while doing
   *   it): the client is told to try again.</li>
   * </ul>
   */
  public static Next after(Throwable failure, AppAddress tried, AppAddress now) {
    boolean unanswered = failure instanceof IOException || failure.getCause() instanceof IOException;
    if (unanswered && now != null && !now.instanceId().equals(tried.instanceId())) {
      return Next.TO_NEW_SERVER;
    }
    boolean unreachable = failure instanceof ConnectException || failure.getCause() instanceof ConnectException;
    return unreachable ? Next.SUSPECT : Next.FAIL;
  }

  public Future<JsonObject> forward(AppAddress server, String text) {
    if (server.host() == null || server.port() <= 0) {
      // a server without an address cannot be reached: treated as one that refuses
      return Future.failedFuture(new ConnectException("application server " + server.instanceId()
          + " has no address"));
    }
    return client.request(server.host(), server.port(), text);
  }
}
