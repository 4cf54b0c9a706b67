package chat.messaging;

import chat.ops.DeliveryMeters;
import chat.ops.Metrics;
import io.vertx.amqp.AmqpMessage;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

/**
 * Publishes over AMQP through the {@link BrokerLink}'s one anonymous sender, so any address can
 * be reached without a link per channel. A lost connection is re-opened on the next publish
 * (or at once, when this process's fleet or its instances' fleet agents share the link: they
 * keep it open); a publish is reported as done only when the broker has accepted the message.
 *
 * <p>To a pair of brokers deliveries are durable: the primary confirms one only once its backup
 * has it, so a direct message accepted and not yet read when the primary dies is read from the
 * backup. It costs about a millisecond a delivery on loopback (docs/HA-BROKER.md). A broker on
 * its own keeps no journal, and its deliveries are not durable.
 */
public final class AmqpMessenger implements Messenger {
  /** Deliveries are for users online now; a message nobody picked up within a minute is stale. */
  private static final long TTL_MILLIS = 60_000;

  private final BrokerLink link;
  private final DeliveryMeters deliveries;
  private final boolean durable;

  public AmqpMessenger(Vertx vertx, BrokerOptions broker) {
    this.link = BrokerLink.service(vertx, broker, "service link");
    this.deliveries = Metrics.of(vertx).deliveries();
    this.durable = broker.urls().size() > 1;
  }

  public Future<Void> start() {
    return link.connect();
  }

  /**
   * This process's connection to the broker, which the fleet agents of the application
   * instances in this process share: one connection a process, however many instances it runs.
   */
  public BrokerLink link() {
    return link;
  }

  @Override
  public Future<Void> direct(String channel, JsonObject body) {
    return publish(Channels.personalAddress(channel), body);
  }

  @Override
  public Future<Void> group(String channel, JsonObject body) {
    return publish(Channels.groupAddress(channel), body);
  }

  private Future<Void> publish(String address, JsonObject body) {
    AmqpMessage message = AmqpMessage.create()
        .address(address)
        .withBody(body.encode())
        .contentType("application/json")
        .durable(durable)
        .ttl(TTL_MILLIS)
        .build();
    long start = System.nanoTime();
    return link.send(message).onComplete(ar -> deliveries.published(start, ar));
  }

  public Future<Void> close() {
    return link.close();
  }
}
