package chat.fleet;

import chat.store.User;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;

/** The login role's view of the fleet: requests to the {@link FleetVerticle} over the event bus. */
public final class EventBusFleet implements Fleet {
  private final Vertx vertx;
  private final DeliveryOptions options;

  public EventBusFleet(Vertx vertx, long timeoutMillis) {
    this.vertx = vertx;
    this.options = new DeliveryOptions().setSendTimeout(timeoutMillis);
  }

  @Override
  public Future<AppAddress> assign(User user) {
    return ask(FleetVerticle.ASSIGN, user);
  }

  @Override
  public Future<AppAddress> serverOf(User user) {
    return ask(FleetVerticle.SERVER_OF, user);
  }

  @Override
  public Future<Void> release(User user) {
    return vertx.eventBus().request(FleetVerticle.RELEASE, new JsonObject().put("user", user.id()), options).mapEmpty();
  }

  /** The instance could not be reached: the fleet treats it as lost and reassigns its users. */
  public Future<Void> suspect(AppAddress server) {
    return vertx.eventBus().request(FleetVerticle.SUSPECT, new JsonObject().put("instance", server.instanceId()), options)
        .mapEmpty();
  }

  private Future<AppAddress> ask(String address, User user) {
    return vertx.eventBus().<JsonObject>request(address, new JsonObject().put("user", user.id()), options)
        .map(m -> AppAddress.fromJson(m.body()));
  }
}
