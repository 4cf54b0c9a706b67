package chat.client;

import chat.messaging.BrokerLink;

import java.net.InetSocketAddress;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * A user logged in through this client: its token, its server, and its own link to the broker
 * (on which it proves itself with its name and token), which keeps its subscriptions.
 */
final class Session {
  final String user;
  String token;
  InetSocketAddress server;
  final Set<String> groups = new LinkedHashSet<>();
  String brokerUrl;
  BrokerLink link;

  Session(String user, String token, InetSocketAddress server) {
    this.user = user;
    this.token = token;
    this.server = server;
  }
}
