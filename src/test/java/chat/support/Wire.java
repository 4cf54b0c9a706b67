package chat.support;

import io.vertx.core.json.JsonObject;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/** Blocking reference-mode requests over a real socket, as the 2018 client makes them. */
public final class Wire {
  private Wire() { }

  /** A connection to a loopback port: 5 s to connect, 15 s for any read, no Nagle delay. */
  public static Socket open(int port) throws IOException {
    Socket s = new Socket();
    s.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
    s.setSoTimeout(15_000);
    s.setTcpNoDelay(true);
    return s;
  }

  /** Sends {@code text} with no terminator, half-closes nothing, reads the reply until the server closes. */
  public static JsonObject reference(int port, String text) throws IOException {
    try (Socket s = open(port)) {
      s.getOutputStream().write(text.getBytes(StandardCharsets.UTF_8));
      s.getOutputStream().flush();
      return new JsonObject(readAll(s.getInputStream()));
    }
  }

  public static String readAll(InputStream in) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    in.transferTo(out);
    return out.toString(StandardCharsets.UTF_8).trim();
  }
}
