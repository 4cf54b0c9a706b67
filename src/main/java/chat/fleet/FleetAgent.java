package chat.fleet;

import io.vertx.amqp.AmqpClient;
import io.vertx.amqp.AmqpConnection;
import io.vertx.amqp.AmqpMessage;
import io.vertx.amqp.AmqpSender;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import chat.messaging.AmqpMessenger;
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
  private AmqpClient client;
  private AmqpSender sender;
  private boolean connecting;
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
    client = AmqpClient.create(vertx, AmqpMessenger.clientOptions(broker));
    timer = vertx.setPeriodic(intervalMillis, t -> beat());
    return connect().onSuccess(v -> LOG.info("instance {} registered at {}:{} (capacity {})", id, host, port, capacity))
        .recover(e -> {
          LOG.warn("instance {} cannot reach the broker yet ({}); will keep trying", id, e.getMessage());
          return Future.succeededFuture();
        });
  }

  private Future<Void> connect() {
    connecting = true;
    return client.connect()
        .compose(this::watch)
        .compose(AmqpConnection::createAnonymousSender)
        .compose(s -> {
          sender = s;
          return send(FleetControl.REGISTER);
        })
        .onComplete(ar -> connecting = false);
  }

  private Future<AmqpConnection> watch(AmqpConnection c) {
    c.exceptionHandler(e -> sender = null);
    c.closeFuture().onComplete(x -> sender = null);
    return Future.succeededFuture(c);
  }

  private void beat() {
    if (sender == null) {
      if (!connecting) {
        connect().onFailure(e -> LOG.debug("reconnect failed: {}", e.getMessage()));
      }
      return;
    }
    send(FleetControl.HEARTBEAT).onFailure(e -> sender = null);
  }

  private Future<Void> send(String type) {
    AmqpMessage m = AmqpMessage.create()
        .address(FleetControl.ADDRESS)
        .withJsonObjectAsBody(FleetControl.message(type, id, host, port, capacity, secret))
        .durable(false)
        .ttl(Math.max(5_000, intervalMillis * 5))
        .build();
    return sender.sendWithAck(m);
  }

  @Override
  public Future<?> stop() {
    vertx.cancelTimer(timer);
    return client.close();
  }
}
