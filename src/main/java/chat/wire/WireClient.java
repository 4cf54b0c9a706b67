package chat.wire;

import chat.config.TlsOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetSocket;

import java.util.concurrent.TimeUnit;

/**
 * Sends one request and reads one reply, as a newline-terminated request on its own
 * connection (the persistent mode of the wire, used once): no waiting for a quiet period.
 * With TLS on, it speaks TLS and trusts only the service's own certificate.
 */
public final class WireClient {
  private final Vertx vertx;
  private final NetClient client;
  private final long timeoutMillis;

  public WireClient(Vertx vertx, long timeoutMillis) {
    this(vertx, timeoutMillis, TlsOptions.disabled());
  }

  public WireClient(Vertx vertx, long timeoutMillis, TlsOptions tls) {
    this.vertx = vertx;
    this.timeoutMillis = timeoutMillis;
    this.client = vertx.createNetClient(tls.client(new NetClientOptions()
        .setConnectTimeout((int) Math.min(timeoutMillis, 5_000))
        .setSslHandshakeTimeout(Math.min(timeoutMillis, 5_000))
        .setSslHandshakeTimeoutUnit(TimeUnit.MILLISECONDS)
        .setTcpNoDelay(true)));
  }

  public Future<JsonObject> request(String host, int port, String text) {
    return client.connect(port, host).compose(socket -> exchange(socket, text));
  }

  private Future<JsonObject> exchange(NetSocket socket, String text) {
    Promise<JsonObject> reply = Promise.promise();
    Buffer received = Buffer.buffer();
    long timer = vertx.setTimer(timeoutMillis, id -> {
      reply.tryFail(new java.util.concurrent.TimeoutException("no reply within " + timeoutMillis + " ms"));
      socket.close();
    });
    socket.handler(data -> {
      received.appendBuffer(data);
      int nl = indexOf(received, (byte) '\n');
      if (nl >= 0) {
        vertx.cancelTimer(timer);
        try {
          reply.tryComplete(new JsonObject(received.getBuffer(0, nl)));
        } catch (RuntimeException e) {
          reply.tryFail(e);
        }
        socket.close();
      }
    });
    socket.closeHandler(v -> {
      vertx.cancelTimer(timer);
      reply.tryFail(new NoReply());
    });
    socket.exceptionHandler(reply::tryFail);
    socket.write(Buffer.buffer(text).appendByte((byte) '\n'));
    return reply.future();
  }

  /**
   * The server closed the connection without an answer. A server that stops answers every request
   * it read first ({@link RequestServer#close}), so from one being stopped this means the request
   * was not done; from one that died, it may have been.
   */
  public static final class NoReply extends java.io.IOException {
    public NoReply() {
      super("connection closed before the reply");
    }
  }

  private static int indexOf(Buffer b, byte value) {
    for (int i = 0; i < b.length(); i++) {
      if (b.getByte(i) == value) {
        return i;
      }
    }
    return -1;
  }

  public Future<Void> close() {
    return client.close();
  }
}
