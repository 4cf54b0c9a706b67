package chat.messaging;

import io.vertx.amqp.AmqpClient;
import io.vertx.amqp.AmqpClientOptions;
import io.vertx.amqp.AmqpConnection;
import io.vertx.amqp.AmqpMessage;
import io.vertx.amqp.AmqpSender;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes over AMQP through one anonymous sender, so any address can be reached without a
 * link per channel. A lost connection is re-opened on the next publish; a publish is reported
 * as done only when the broker has accepted the message.
 */
public final class AmqpMessenger implements Messenger {
  private static final Logger LOG = LoggerFactory.getLogger(AmqpMessenger.class);
  /** Deliveries are for users online now; a message nobody picked up within a minute is stale. */
  private static final long TTL_MILLIS = 60_000;

  private final AmqpClient client;
  private Future<AmqpSender> sender;

  public AmqpMessenger(Vertx vertx, BrokerOptions broker) {
    this.client = AmqpClient.create(vertx, clientOptions(broker));
  }

  /** How this process connects: as its service principal, which the broker checks. */
  public static AmqpClientOptions clientOptions(BrokerOptions broker) {
    AmqpClientOptions options = new AmqpClientOptions()
        .setHost(broker.urlHost())
        .setPort(broker.urlPort())
        .setConnectTimeout(5_000)
        .setReconnectAttempts(0);
    if (broker.user() != null && !broker.user().isEmpty()) {
      options.setUsername(broker.user()).setPassword(broker.password());
    }
    if (broker.secure()) {
      if (broker.tls().enabled()) {
        broker.tls().client(options);
      } else {
        options.setSsl(true).setHostnameVerificationAlgorithm("HTTPS");
      }
    }
    return options;
  }

  public Future<Void> start() {
    return sender().mapEmpty();
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
    return sender().compose(s -> s.sendWithAck(message)).onFailure(e -> {
      LOG.warn("publish to {} failed: {}", address, e.getMessage());
      sender = null;
    });
  }

  private synchronized Future<AmqpSender> sender() {
    if (sender == null || (sender.failed())) {
      Promise<AmqpSender> p = Promise.promise();
      sender = p.future();
      client.connect()
          .compose(this::watch)
          .compose(AmqpConnection::createAnonymousSender)
          .onComplete(p);
    }
    return sender;
  }

  private Future<AmqpConnection> watch(AmqpConnection connection) {
    connection.closeFuture().onComplete(x -> dropSender());
    connection.exceptionHandler(e -> dropSender());
    return Future.succeededFuture(connection);
  }

  private synchronized void dropSender() {
    sender = null;
  }

  public Future<Void> close() {
    return client.close();
  }
}
