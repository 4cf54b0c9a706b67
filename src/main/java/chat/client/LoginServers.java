package chat.client;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

/**
 * The login servers a client may ask, in turn: {@code HOST PORT} as ever, or one argument
 * {@code HOST:PORT,HOST2:PORT2,...}; a name that stands for several addresses stands for each.
 * The client keeps asking the one that last answered and moves to the next when it cannot.
 */
final class LoginServers {
  private final List<InetSocketAddress> all;
  private int current;

  LoginServers(List<InetSocketAddress> all) {
    if (all.isEmpty()) {
      throw new IllegalArgumentException("no login server given");
    }
    this.all = List.copyOf(all);
  }

  /** {@code host} with {@code port}, or (port null) a comma-separated list of {@code host:port}. */
  static LoginServers parse(String host, Integer port) {
    List<InetSocketAddress> out = new ArrayList<>();
    if (port != null) {
      addEach(out, host, port);
    } else {
      for (String one : host.split(",")) {
        String entry = one.trim();
        int colon = entry.lastIndexOf(':');
        if (colon <= 0 || colon == entry.length() - 1) {
          throw new IllegalArgumentException("a login server is HOST:PORT, not '" + entry + "'");
        }
        String name = entry.substring(0, colon);
        if (name.startsWith("[") && name.endsWith("]")) {
          name = name.substring(1, name.length() - 1);
        }
        int p;
        try {
          p = Integer.parseInt(entry.substring(colon + 1));
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException("not a port in '" + entry + "'");
        }
        addEach(out, name, p);
      }
    }
    return new LoginServers(out);
  }

  /** Every address of {@code name}, each keeping the name (a certificate is checked against it). */
  private static void addEach(List<InetSocketAddress> out, String name, int port) {
    if (port < 1 || port > 65_535) {
      throw new IllegalArgumentException("port out of range: " + port);
    }
    try {
      for (InetAddress a : InetAddress.getAllByName(name)) {
        out.add(new InetSocketAddress(InetAddress.getByAddress(name, a.getAddress()), port));
      }
    } catch (UnknownHostException e) {
      // asked as it is: the connection says what is wrong with it
      out.add(InetSocketAddress.createUnresolved(name, port));
    }
  }

  /** The server to ask now. */
  InetSocketAddress current() {
    return all.get(current);
  }

  /** The current server did not answer: the next one is asked; true when every one has been tried since the first. */
  boolean next() {
    current = (current + 1) % all.size();
    return current == 0;
  }

  int size() {
    return all.size();
  }

  @Override
  public String toString() {
    return all.toString();
  }
}
