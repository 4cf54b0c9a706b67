package chat.fleet;

import io.vertx.amqp.AmqpMessage;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import chat.messaging.BrokerLink;
import chat.messaging.BrokerOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The application instance's side of the fleet: registers over the broker, then sends a
 * heartbeat every interval. A lost broker connection is re-opened, and the instance registers
 * again, so a restarted login role finds every instance that is still running.
 */
public final class FleetAgent extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(FleetAgent.class);

  private final BrokerOptions broker;
  private final String id;
  private final String host;
  private final int port;
  private final int capacity;
  private final long intervalMillis;
  private final String secret;
  private BrokerLink link;
  private long timer;

  public FleetAgent(BrokerOptions broker, String id, String host, int port, int capacity, long intervalMillis,
                    String secret) {
    this.secret = secret;
    this.broker = broker;
    this.id = id;
    this.host = host;
    this.port = port;
    this.capacity = capacity;
    this.intervalMillis = intervalMillis;
  }

  @Override
  public Future<?> start() {
    // every (re)connect registers anew, so a restarted or failed-over login role finds this instance
    link = BrokerLink.service(vertx, broker, "instance " + id).onConnect(v -> register());
    timer = vertx.setPeriodic(intervalMillis, t -> beat());
    return link.connect().onSuccess(v -> LOG.info("instance {} registering at {}:{} (capacity {})", id, host, port, capacity))
        .recover(e -> {
          LOG.warn("instance {} cannot reach the broker yet ({}); will keep trying", id, e.getMessage());
          return Future.succeededFuture();
        });
  }

  private void register() {
    send(FleetControl.REGISTER).onFailure(e -> LOG.debug("register failed: {}", e.getMessage()));
  }

  private void beat() {
    if (link.connected()) {
      send(FleetControl.HEARTBEAT).onFailure(e -> LOG.debug("heartbeat failed: {}", e.getMessage()));
    }
  }

  private Future<Void> send(String type) {
    AmqpMessage m = AmqpMessage.create()
        .address(FleetControl.ADDRESS)
        .withJsonObjectAsBody(FleetControl.message(type, id, host, port, capacity, secret))
        .durable(false)
        .ttl(Math.max(5_000, intervalMillis * 5))
        .build();
    return link.send(m);
  }

  @Override
  public Future<?> stop() {
    vertx.cancelTimer(timer);
    return link.close();
  }
}
