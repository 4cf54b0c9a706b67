package chat.fleet;

import chat.store.User;
import io.vertx.core.Future;

/** What the login role asks of the fleet: a server for each logged-in user. */
public interface Fleet {

  /**
   * The application server of a user who is logging in: the one it has if it is logged in
   * already, else one with room (started if need be). Fails when none can be had in time.
   */
  Future<AppAddress> assign(User user);

  /** The server of a logged-in user, for forwarding; a user whose server was lost gets a new one. */
  Future<AppAddress> serverOf(User user);

  /** The user logged out or was deleted: it no longer counts on its server. */
  Future<Void> release(User user);

  /** The server could not be reached at all; the fleet may treat it as lost. */
  default Future<Void> suspect(AppAddress server) {
    return Future.succeededFuture();
  }
}
