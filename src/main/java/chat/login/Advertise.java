package chat.login;

import io.vertx.core.net.SocketAddress;

import java.net.URI;

/**
 * Addresses handed to clients. A service bound to every interface (0.0.0.0) is advertised
 * under the address the client used to reach the login server, which is one it can reach.
 */
final class Advertise {
  private Advertise() { }

  static String host(String host, SocketAddress local) {
    boolean wildcard = host == null || host.isEmpty() || host.equals("0.0.0.0") || host.equals("::");
    return wildcard && local != null && local.host() != null ? local.host() : host;
  }

  static String url(String url, SocketAddress local) {
    URI uri = URI.create(url);
    String host = host(uri.getHost(), local);
    return uri.getScheme() + "://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + uri.getPort();
  }
}
