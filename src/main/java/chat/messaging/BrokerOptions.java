package chat.messaging;

import java.net.URI;

/**
 * Where the broker is. {@code url} is what instances and clients connect to over AMQP
 * ({@code amqp://host:port}); the embedded broker, when enabled, listens on {@code host} with
 * an AMQP and a STOMP acceptor.
 */
public record BrokerOptions(String url, boolean embedded, String host, int amqpPort, int stompPort,
                            String dataDir) {

  /** The host to connect to from this machine: a wildcard bind address means this machine. */
  public String urlHost() {
    String host = URI.create(url).getHost();
    return host == null || host.equals("0.0.0.0") || host.equals("[::]") ? "127.0.0.1" : host;
  }

  public int urlPort() {
    int port = URI.create(url).getPort();
    return port < 0 ? 5672 : port;
  }
}
