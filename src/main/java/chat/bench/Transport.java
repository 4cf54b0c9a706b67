package chat.bench;

import chat.wire.ClientTls;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;

import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * Sends one request and reads its JSON reply, with blocking sockets, plain or TLS. One
 * instance per thread: the persistent flavour keeps connections that must not be shared.
 */
abstract class Transport implements Closeable {
  static final int CONNECT_TIMEOUT_MILLIS = 5_000;
  static final int READ_TIMEOUT_MILLIS = 15_000;
  static final int MAX_REPLY_BYTES = 16 * 1024 * 1024;

  enum Mode { reference, persistent }

  private ClientTls tls = ClientTls.plain();

  static Transport create(Mode mode, ClientTls tls) {
    Transport t = mode == Mode.persistent ? new Persistent() : new Reference();
    t.tls = tls;
    return t;
  }

  abstract JsonObject request(InetSocketAddress to, String text) throws IOException;

  @Override
  public void close() {
  }

  Socket open(InetSocketAddress to) throws IOException {
    return tls.connect(to, CONNECT_TIMEOUT_MILLIS, READ_TIMEOUT_MILLIS);
  }

  static JsonObject parse(byte[] bytes, int length) throws IOException {
    if (length == 0) {
      throw new IOException("connection closed without a reply");
    }
    try {
      return new JsonObject(new String(bytes, 0, length, StandardCharsets.UTF_8));
    } catch (DecodeException e) {
      throw new IOException("reply is not JSON: " + e.getMessage());
    }
  }

  /**
   * The 2018 client: a connection per request, the text with no terminator, then everything
   * the server sends until it closes. The server takes a small request that arrived in one read
   * as complete at once, others after a short quiet period.
   */
  static final class Reference extends Transport {
    private final byte[] buffer = new byte[8192];

    @Override
    JsonObject request(InetSocketAddress to, String text) throws IOException {
      try (Socket socket = open(to)) {
        OutputStream out = socket.getOutputStream();
        out.write(text.getBytes(StandardCharsets.UTF_8));
        out.flush();
        InputStream in = socket.getInputStream();
        ByteArrayOutputStream reply = new ByteArrayOutputStream(256);
        int n;
        while ((n = in.read(buffer)) >= 0) {
          reply.write(buffer, 0, n);
          if (reply.size() > MAX_REPLY_BYTES) {
            throw new IOException("reply longer than " + MAX_REPLY_BYTES + " bytes");
          }
        }
        byte[] bytes = reply.toByteArray();
        return parse(bytes, bytes.length);
      }
    }
  }

  /** Newline-terminated requests and reply lines on connections kept open, one per server. */
  static final class Persistent extends Transport {
    private final Map<InetSocketAddress, Line> lines = new HashMap<>();

    @Override
    JsonObject request(InetSocketAddress to, String text) throws IOException {
      Line line = lines.get(to);
      if (line == null) {
        line = new Line(open(to));
        lines.put(to, line);
      }
      try {
        return line.exchange(text);
      } catch (IOException e) {
        lines.remove(to);
        line.close();
        throw e;
      }
    }

    @Override
    public void close() {
      lines.values().forEach(Line::close);
      lines.clear();
    }
  }

  private static final class Line {
    private final Socket socket;
    private final OutputStream out;
    private final InputStream in;
    private final byte[] buffer = new byte[16384];
    private int start;
    private int end;
    private byte[] reply = new byte[1024];

    Line(Socket socket) throws IOException {
      this.socket = socket;
      this.out = socket.getOutputStream();
      this.in = socket.getInputStream();
    }

    JsonObject exchange(String text) throws IOException {
      out.write((text + "\n").getBytes(StandardCharsets.UTF_8));
      out.flush();
      int length = 0;
      while (true) {
        if (start == end) {
          int n = in.read(buffer);
          if (n < 0) {
            throw new IOException("connection closed before the reply line ended");
          }
          start = 0;
          end = n;
        }
        int i = start;
        while (i < end && buffer[i] != '\n') {
          i++;
        }
        int chunk = i - start;
        if (length + chunk > MAX_REPLY_BYTES) {
          throw new IOException("reply longer than " + MAX_REPLY_BYTES + " bytes");
        }
        if (length + chunk > reply.length) {
          reply = java.util.Arrays.copyOf(reply, Math.max(reply.length * 2, length + chunk));
        }
        System.arraycopy(buffer, start, reply, length, chunk);
        length += chunk;
        if (i < end) {
          start = i + 1;
          return parse(reply, length);
        }
        start = end;
      }
    }

    void close() {
      try {
        socket.close();
      } catch (IOException e) {
        // closing anyway
      }
    }
  }
}
