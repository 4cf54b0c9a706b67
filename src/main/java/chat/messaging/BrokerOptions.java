package chat.messaging;

import chat.config.TlsOptions;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;

/**
 * Where the broker is and who this process is to it. {@code url} is what instances and clients
 * connect to over AMQP ({@code amqp://host:port}), or, for a pair of brokers, every broker's URL
 * separated by commas, tried in that order; the embedded broker, when enabled, listens on
 * {@code host} with an AMQP and a STOMP acceptor. {@code user} and {@code password} are this
 * process's service credentials; {@code legacyClients} lets anonymous STOMP clients consume
 * exact channel addresses; {@code pair} says whether the embedded broker is one of a
 * replicated pair, and which.
 */
public record BrokerOptions(String url, boolean embedded, String host, int amqpPort, int stompPort,
                            String dataDir, String user, String password, boolean legacyClients, TlsOptions tls,
                            BrokerPair pair) {

  public BrokerOptions {
    tls = tls == null ? TlsOptions.disabled() : tls;
    pair = pair == null ? BrokerPair.NONE : pair;
    if (urls(url).isEmpty()) {
      throw new IllegalArgumentException("no broker URL");
    }
  }

  /** A single broker. */
  public BrokerOptions(String url, boolean embedded, String host, int amqpPort, int stompPort, String dataDir,
                       String user, String password, boolean legacyClients, TlsOptions tls) {
    this(url, embedded, host, amqpPort, stompPort, dataDir, user, password, legacyClients, tls, BrokerPair.NONE);
  }

  /** Every broker's URL, in the order they are tried. */
  public List<String> urls() {
    return urls(url);
  }

  /** The URLs of a comma-separated list, blanks dropped. */
  public static List<String> urls(String list) {
    List<String> urls = new ArrayList<>();
    if (list != null) {
      for (String u : list.split(",")) {
        if (!u.isBlank()) {
          urls.add(u.trim());
        }
      }
    }
    return urls;
  }

  /** An {@code amqps://} URL: the link is TLS, and the broker must present the service's certificate. */
  public boolean secure() {
    return secure(urls().get(0));
  }

  public static boolean secure(String url) {
    return "amqps".equalsIgnoreCase(URI.create(url).getScheme());
  }

  /** Never prints the password. */
  @Override
  public String toString() {
    return "BrokerOptions[" + url + ", embedded " + embedded + ", user " + user + ", " + pair + "]";
  }

  /** The host of the first broker to connect to from this machine. */
  public String urlHost() {
    return urlHost(urls().get(0));
  }

  /** The host to connect to from this machine: a wildcard bind address means this machine. */
  public static String urlHost(String url) {
    String host = URI.create(url).getHost();
    return host == null || host.equals("0.0.0.0") || host.equals("[::]") ? "127.0.0.1" : host;
  }

  public int urlPort() {
    return urlPort(urls().get(0));
  }

  public static int urlPort(String url) {
    int port = URI.create(url).getPort();
    return port < 0 ? 5672 : port;
  }
}
