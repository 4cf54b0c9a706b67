package chat.store;

import org.hsqldb.server.HsqlSocketFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.BufferedOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.reflect.Field;
import java.net.Socket;

/**
 * The streams of a store connection over {@code hsql://}, on both of its ends, each message
 * sent in one write.
 *
 * <p>HSQLDB writes a message in two pieces, its body and then a byte that ends it, each
 * straight to the socket (its own stream buffers 8 bytes), and it turns the connection's delay
 * off: every statement and every answer went as two packets, and the side that read them
 * could wake for each (docs/PERFORMANCE.md, fifteenth round). Here what is written waits
 * until the writer flushes, or until the writer reads, so that nothing written can wait behind
 * its writer's own wait for an answer. HSQLDB flushes at the end of every message, as its own
 * stream needs (it holds the message's last byte until then), so a socket closes with nothing
 * held, and its close never waits for a writer.
 */
final class StoreSockets {
  private static final Logger LOG = LoggerFactory.getLogger(StoreSockets.class);
  /** A message up to this size leaves in one write; a bigger one in as few as the socket takes. */
  static final int MESSAGE_BYTES = 16 * 1024;
  /** Where HSQLDB keeps the factory of its plain client sockets: a private static field. */
  private static final String PLAIN_FACTORY_FIELD = "plainImpl";
  private static boolean clientsAsked;

  private StoreSockets() {
  }

  /** {@code out}, which sends what it is given when flushed or when {@link #MESSAGE_BYTES} are waiting. */
  static OutputStream whole(OutputStream out) {
    return new BufferedOutputStream(out, MESSAGE_BYTES);
  }

  /** {@code in}, which flushes {@code written} before each read. */
  static InputStream flushingBefore(InputStream in, OutputStream written) {
    return new FilterInputStream(in) {
      @Override
      public int read() throws IOException {
        written.flush();
        return super.read();
      }

      @Override
      public int read(byte[] b, int off, int len) throws IOException {
        written.flush();
        return super.read(b, off, len);
      }
    };
  }

  /**
   * Makes this process's plain {@code hsql://} client connections, those opened from now on,
   * send each message in one write. With a version of HSQLDB that keeps its factory elsewhere
   * they write as HSQLDB does (two writes a message, nothing else changes), which is said once.
   */
  static synchronized void useForClients() {
    if (clientsAsked) {
      return;
    }
    clientsAsked = true;
    try {
      Field plain = HsqlSocketFactory.class.getDeclaredField(PLAIN_FACTORY_FIELD);
      plain.setAccessible(true);
      synchronized (HsqlSocketFactory.class) {
        plain.set(null, new ClientFactory());
      }
    } catch (ReflectiveOperationException | RuntimeException e) {
      LOG.warn("store connections write each message in two pieces (HSQLDB's {} not set: {})",
          PLAIN_FACTORY_FIELD, e.toString());
    }
  }

  /** HSQLDB's plain socket factory, its client sockets those below. */
  private static final class ClientFactory extends HsqlSocketFactory {
    @Override
    public Socket createSocket(String host, int port) throws Exception {
      return new ClientSocket(host, port);
    }

    /** HSQLDB's client asks for its socket this way, with none to wrap unless it speaks TLS. */
    @Override
    public Socket createSocket(Socket socket, String host, int port) throws Exception {
      return socket == null ? new ClientSocket(host, port) : socket;
    }
  }

  /** A connected client socket with the streams above. */
  private static final class ClientSocket extends Socket {
    private final OutputStream out;
    private final InputStream in;

    ClientSocket(String host, int port) throws IOException {
      super(host, port);
      out = whole(super.getOutputStream());
      in = flushingBefore(super.getInputStream(), out);
    }

    @Override
    public OutputStream getOutputStream() {
      return out;
    }

    @Override
    public InputStream getInputStream() {
      return in;
    }
  }
}
