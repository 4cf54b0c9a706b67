package chat.fleet;

import chat.store.User;
import io.vertx.core.Future;

/** One application server for everybody: the in-process one of a single-process run. */
public final class StaticFleet implements Fleet {
  private final AppAddress server;

  public StaticFleet(AppAddress server) {
    this.server = server;
  }

  @Override
  public Future<AppAddress> assign(User user) {
    return Future.succeededFuture(server);
  }

  @Override
  public Future<AppAddress> serverOf(User user) {
    return Future.succeededFuture(server);
  }

  @Override
  public Future<Void> release(User user) {
    return Future.succeededFuture();
  }
}
