package chat.support;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

/** A raw STOMP 1.2 connection over a real socket, as the 2018 client and a stranger make them. */
public final class Stomp implements AutoCloseable {
  private final Socket socket = new Socket();
  private final InputStream in;

  public Stomp(int port) throws IOException {
    socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
    socket.setSoTimeout(10_000);
    in = new BufferedInputStream(socket.getInputStream());
  }

  /** CONNECT, anonymously when {@code login} is null; returns the broker's answer frame. */
  public String connect(String login, String passcode) throws IOException {
    String credentials = login == null ? "" : "login:" + login + "\npasscode:" + passcode + "\n";
    return send("CONNECT\naccept-version:1.2\nhost:localhost\n" + credentials + "\n");
  }

  /** SUBSCRIBE with a receipt; returns the broker's answer frame (RECEIPT or ERROR). */
  public String subscribe(String destination) throws IOException {
    return send("SUBSCRIBE\nid:" + destination.hashCode() + "\ndestination:" + destination + "\nack:auto\nreceipt:s\n\n");
  }

  /** SEND with a receipt; returns the broker's answer frame (RECEIPT or ERROR). */
  public String publish(String destination, String body) throws IOException {
    return send("SEND\ndestination:" + destination + "\ncontent-type:application/json\nreceipt:p\n\n" + body);
  }

  private String send(String frame) throws IOException {
    socket.getOutputStream().write((frame + "\0").getBytes(StandardCharsets.UTF_8));
    socket.getOutputStream().flush();
    return frame();
  }

  /** The next frame; "" when the broker closed the connection. */
  public String frame() throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int b;
    while ((b = in.read()) > 0) {
      out.write(b);
    }
    String f = out.toString(StandardCharsets.UTF_8);
    return f.startsWith("\n") ? f.strip() : f;
  }

  /** The next frame within {@code millis}, or null when none came. */
  public String frameWithin(int millis) throws IOException {
    socket.setSoTimeout(millis);
    try {
      return frame();
    } catch (SocketTimeoutException e) {
      return null;
    } finally {
      socket.setSoTimeout(10_000);
    }
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
