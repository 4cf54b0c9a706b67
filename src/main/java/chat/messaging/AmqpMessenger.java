package chat.messaging;

import chat.ops.DeliveryMeters;
import chat.ops.Metrics;
import io.vertx.amqp.AmqpMessage;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

/**
 * Publishes over AMQP through the {@link BrokerLink}'s one anonymous sender, so any address can
 * be reached without a link per channel. A lost connection is re-opened on the next publish; a
 * publish is reported as done only when the broker has accepted the message.
 */
public final class AmqpMessenger implements Messenger {
  /** Deliveries are for users online now; a message nobody picked up within a minute is stale. */
  private static final long TTL_MILLIS = 60_000;

  private final BrokerLink link;
  private final DeliveryMeters deliveries;

  public AmqpMessenger(Vertx vertx, BrokerOptions broker) {
    this.link = BrokerLink.service(vertx, broker, "publisher");
    this.deliveries = Metrics.of(vertx).deliveries();
  }

  public Future<Void> start() {
    return link.connect();
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
        .durable(false)
        .ttl(TTL_MILLIS)
        .build();
    long start = System.nanoTime();
    return link.send(message).onComplete(ar -> deliveries.published(start, ar));
  }

  public Future<Void> close() {
    return link.close();
  }
}
