package chat.client;

import io.vertx.amqp.AmqpConnection;
import io.vertx.amqp.AmqpReceiver;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * A user logged in through this client: its token, its server, and its own connection to the
 * broker (on which it proves itself with its name and token) with its subscriptions.
 */
final class Session {
  final String user;
  String token;
  InetSocketAddress server;
  final Set<String> groups = new LinkedHashSet<>();
  final List<AmqpReceiver> receivers = new ArrayList<>();
  /** Broker addresses this user is subscribed to, to subscribe again after a lost connection. */
  final List<String> addresses = new ArrayList<>();
  String brokerUrl;
  AmqpConnection connection;

  Session(String user, String token, InetSocketAddress server) {
    this.user = user;
    this.token = token;
    this.server = server;
  }
}
