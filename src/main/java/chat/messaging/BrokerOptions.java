package chat.messaging;

import chat.config.TlsOptions;

import java.net.URI;

/**
 * Where the broker is and who this process is to it. {@code url} is what instances and clients
 * connect to over AMQP ({@code amqp://host:port}); the embedded broker, when enabled, listens
 * on {@code host} with an AMQP and a STOMP acceptor. {@code user} and {@code password} are
 * this process's service credentials; {@code legacyClients} lets anonymous STOMP clients
 * consume exact channel addresses.
 */
public record BrokerOptions(String url, boolean embedded, String host, int amqpPort, int stompPort,
                            String dataDir, String user, String password, boolean legacyClients, TlsOptions tls) {

  public BrokerOptions {
    tls = tls == null ? TlsOptions.disabled() : tls;
  }

  /** An {@code amqps://} URL: the link is TLS, and the broker must present the service's certificate. */
  public boolean secure() {
    return "amqps".equalsIgnoreCase(URI.create(url).getScheme());
  }

  /** Never prints the password. */
  @Override
  public String toString() {
    return "BrokerOptions[" + url + ", embedded " + embedded + ", user " + user + "]";
  }

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
