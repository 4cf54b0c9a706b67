package chat.wire;

import chat.config.TlsOptions;
import chat.protocol.Messages;
import chat.protocol.Reply;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.net.NetSocketInternal;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.ssl.SslHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;

/**
 * The TCP side of every role. Reference mode: one request per connection, no terminator, one
 * JSON reply, then close. Persistent mode, chosen by the client sending a newline: requests
 * and replies are lines, answered in order, on a connection that stays open. Both work the
 * same inside TLS when it is on; a TLS port then answers nothing to plain text.
 *
 * <p>When a reference-mode request ends. Nothing in the bytes says so: the 2018 clients connect,
 * write the request in one send and read until the server closes, and the 2018 server took its
 * first recv as the request. Here a request ends at the first of:
 * <ul>
 *   <li>a half-close by the client;</li>
 *   <li>the whole-read rule (plain connections only): the connection's first read event, when it
 *       is the only one so far, left the socket drained (it did not fill Netty's read buffer), is
 *       at most {@link #WHOLE_READ_MAX_BYTES}, ends on a complete UTF-8 sequence and not on
 *       whitespace. A send that small travels in one TCP segment on any real path, and a segment
 *       is delivered by one read, so such a read is the client's whole send: it is answered at
 *       once, with no wait;</li>
 *   <li>{@code wire.quietMillis} passing without more bytes: the fallback for every request the
 *       rule does not take, which is how requests arriving in pieces are still read whole (a
 *       longer request, a read cut inside a UTF-8 sequence or after a space, a second read, TLS,
 *       where the first read is the handshake).</li>
 * </ul>
 * Deliberate consequence: a client that splits one request into two sends, the first ending on
 * a complete character and not on whitespace, is answered on its first piece when the server
 * reads that piece before the second arrives (the quiet period used to join them when they came
 * within 2 ms). The 2018 server did the same, so no reference client does this; two sends that
 * reach the server before its read are one read and are joined as before. A client that wants
 * pieces joined half-closes, or uses the persistent mode (its newline ends the line; a first
 * piece without the newline that the rule takes is answered in reference mode).
 * The rule never looks at the command itself: no request text is syntactically complete, since
 * more bytes could always extend its last word or add message words.
 */
public final class RequestServer {
  private static final Logger LOG = LoggerFactory.getLogger(RequestServer.class);
  /**
   * Longest first read the whole-read rule takes as a complete request. Below the payload of
   * one TCP segment on any path the service runs on (IPv6's minimum MTU leaves 1,208 bytes with
   * timestamps), so one send of this size is never cut in two. Longer requests wait for the
   * quiet period, as all did before.
   */
  static final int WHOLE_READ_MAX_BYTES = 1024;
  /** How long a stopping server lets open connections finish their request. */
  static final long STOP_GRACE_MILLIS = 5_000;

  private final Vertx vertx;
  private final WireOptions options;
  private final RequestHandler handler;
  private final TlsOptions tls;
  private NetServer server;
  /** Set before the listener is shut down: read by the event loops that take connections. */
  private volatile boolean stopping;

  public RequestServer(Vertx vertx, WireOptions options, RequestHandler handler) {
    this(vertx, options, handler, TlsOptions.disabled());
  }

  public RequestServer(Vertx vertx, WireOptions options, RequestHandler handler, TlsOptions tls) {
    this.vertx = vertx;
    this.options = options;
    this.handler = handler;
    this.tls = tls;
  }

  public Future<Integer> listen(String host, int port) {
    NetServerOptions netOptions = new NetServerOptions()
        .setHost(host)
        .setPort(port)
        .setTcpNoDelay(true)
        .setAcceptBacklog(4096)
        .setIdleTimeout(options.idleSeconds())
        // a client that never finishes its handshake is dropped as soon as a silent one is
        .setSslHandshakeTimeout(options.firstByteMillis())
        .setSslHandshakeTimeoutUnit(TimeUnit.MILLISECONDS);
    server = vertx.createNetServer(tls.server(netOptions))
        .connectHandler(this::accepted)
        // failed handshakes (plain text on a TLS port, an untrusting client) are strangers' doing
        .exceptionHandler(e -> LOG.debug("connection refused: {}", e.toString()));
    return server.listen().map(NetServer::actualPort);
  }

  /**
   * Stops taking connections, then lets those open finish the request they carry: a request
   * that reached the server is answered, never cut off, so a client whose server is stopped
   * (drained after its users moved) either gets its answer or cannot connect and asks the
   * login server again. Idle persistent connections are closed at once; none stays open longer
   * than {@link #STOP_GRACE_MILLIS}.
   */
  public Future<Void> close() {
    if (server == null) {
      return Future.succeededFuture();
    }
    stopping = true;
    return server.shutdown(STOP_GRACE_MILLIS, TimeUnit.MILLISECONDS);
  }

  /**
   * A connection taken once the server is stopping is closed before any of it is read. The
   * listener's shutdown waits only for the connections open when it began, and closes the
   * others at the end of that wait, which can cut off an answer: so a request on a connection
   * a stopping server closes without an answer was never read, and can be sent elsewhere.
   */
  private void accepted(NetSocket socket) {
    if (stopping) {
      socket.handler(data -> { });
      socket.close();
      return;
    }
    new Connection(socket).start();
  }

  /** One client connection: reads requests, answers them one at a time, in order. */
  private final class Connection {
    private final NetSocket socket;
    private Buffer pending = Buffer.buffer();
    private final ArrayDeque<Buffer> lines = new ArrayDeque<>();
    private boolean persistent;
    private boolean busy;
    private boolean closed;
    private boolean ended;
    private boolean refusing;
    /** The server is stopping: close once the requests read so far are answered. */
    private boolean stopping;
    private long timer = -1;
    /** The connection's socket reads, seen below TLS; null under TLS. */
    private FirstRead firstRead;

    Connection(NetSocket socket) {
      this.socket = socket;
    }

    void start() {
      allowHalfClose();
      if (!tls.enabled()) {
        watchFirstRead();
      }
      socket.handler(this::onData);
      socket.endHandler(v -> onEnd());
      socket.closeHandler(v -> {
        closed = true;
        cancelTimer();
      });
      socket.exceptionHandler(e -> LOG.debug("connection error: {}", e.getMessage()));
      socket.shutdownHandler(v -> {
        stopping = true;
        if (persistent && !busy && lines.isEmpty() && pending.length() == 0) {
          socket.close();
        }
      });
      timer = vertx.setTimer(options.firstByteMillis(), id -> {
        timer = -1;
        if (pending.length() == 0 && !persistent && !busy) {
          socket.close();
        }
      });
    }

    private void onData(Buffer data) {
      if (data.length() == 0) {
        onEnd(); // the client half-closed: see allowHalfClose
        return;
      }
      if (closed || refusing) {
        return;
      }
      cancelTimer();
      pending.appendBuffer(data);
      int from = 0;
      for (int i = 0; i < pending.length(); i++) {
        if (pending.getByte(i) == '\n') {
          if (i - from > options.maxRequestBytes()) {
            tooLong();
            return;
          }
          persistent = true;
          lines.add(pending.getBuffer(from, i));
          from = i + 1;
        }
      }
      if (from > 0) {
        pending = pending.getBuffer(from, pending.length());
      }
      if (pending.length() > options.maxRequestBytes()) {
        tooLong();
        return;
      }
      if (lines.size() >= options.maxPipelined()) {
        socket.pause();
      }
      if (!persistent && pending.length() > 0) {
        if (arrivedWhole()) {
          finishReferenceRequest();
          return;
        }
        timer = vertx.setTimer(options.quietMillis(), id -> {
          timer = -1;
          finishReferenceRequest();
        });
      }
      next();
    }

    /**
     * Whether the pending reference-mode bytes are one whole send: see the class comment. Runs on
     * the event loop that also runs {@link FirstRead}, so its counts include every read whose
     * bytes reached {@code pending}; one that came after makes {@code reads} 2, which never
     * passes.
     */
    private boolean arrivedWhole() {
      FirstRead read = firstRead;
      return read != null && !busy && !ended
          && read.reads == 1 && !read.filled && read.bytes == pending.length()
          && pending.length() <= WHOLE_READ_MAX_BYTES
          && endsOnWholeCharacter(pending) && !isSpace(pending.getByte(pending.length() - 1));
    }

    /** Puts a {@link FirstRead} at the head of the pipeline, where it sees the socket's reads. */
    private void watchFirstRead() {
      if (!(socket instanceof NetSocketInternal internal)) {
        return;
      }
      firstRead = new FirstRead();
      internal.channelHandlerContext().pipeline().addFirst("firstRead", firstRead);
    }

    /**
     * A client's half-close ends its request. By default Netty closes the whole connection when
     * the input ends, and the answer could no longer be written: keep the output open instead,
     * and turn the end of input into an empty read, which Netty never delivers otherwise, so it
     * reaches {@link #onData} after every byte before it, even while reading is paused. Under
     * TLS the empty read is made after decryption, so it comes after the last request byte too.
     * The empty read is followed by the end of a read: Vert.x holds what is written during a
     * read until the read completes, and with the native transport (epoll) the end of input
     * comes after the last read's completion, so the answer would never be flushed.
     */
    private void allowHalfClose() {
      if (!(socket instanceof NetSocketInternal internal)) {
        return;
      }
      Channel channel = internal.channelHandlerContext().channel();
      channel.config().setOption(ChannelOption.ALLOW_HALF_CLOSURE, true);
      ChannelHandlerContext ssl = channel.pipeline().context(SslHandler.class);
      ChannelInboundHandlerAdapter halfClose = new ChannelInboundHandlerAdapter() {
        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
          if (event instanceof ChannelInputShutdownEvent) {
            ctx.fireChannelRead(Unpooled.EMPTY_BUFFER);
            ctx.fireChannelReadComplete();
          }
          ctx.fireUserEventTriggered(event);
        }
      };
      if (ssl == null) {
        channel.pipeline().addFirst("halfClose", halfClose);
      } else {
        channel.pipeline().addAfter(ssl.name(), "halfClose", halfClose);
      }
    }

    private void onEnd() {
      if (ended || closed) {
        return;
      }
      ended = true;
      cancelTimer();
      if (pending.length() > 0) {
        // A half-close ends the last request, but a reset is seen as the end of input too, just
        // before the connection closes: what a reset cut off is dropped, so the end is acted on
        // once the event loop has seen whether the connection closed with it.
        vertx.runOnContext(v -> endOfInput());
      } else if (!busy && lines.isEmpty()) {
        socket.close();
      }
    }

    private void endOfInput() {
      if (closed || pending.length() == 0) {
        return;
      }
      if (persistent) {
        lines.add(pending);
        pending = Buffer.buffer();
        next();
      } else {
        finishReferenceRequest();
      }
    }

    private void finishReferenceRequest() {
      if (busy || persistent || closed) {
        return;
      }
      Buffer request = pending;
      pending = Buffer.buffer();
      busy = true;
      answer(request).onComplete(ar -> write(ar.result(), false));
    }

    /** Answers the next queued line of a persistent connection, if none is being answered. */
    private void next() {
      if (busy || lines.isEmpty() || closed) {
        return;
      }
      busy = true;
      Buffer line = lines.poll();
      if (!refusing && lines.size() < options.maxPipelined()) {
        socket.resume();
      }
      answer(line).onComplete(ar -> write(ar.result(), true));
    }

    private Future<JsonObject> answer(Buffer raw) {
      String text;
      try {
        text = decode(raw);
      } catch (CharacterCodingException e) {
        return Future.succeededFuture(Reply.fail(Messages.NOT_UTF8));
      }
      try {
        return handler.handle(text, socket.localAddress(), socket.remoteAddress())
            .recover(e -> {
              LOG.warn("request failed: {}", e.toString());
              return Future.succeededFuture(Reply.fail(Messages.UNAVAILABLE));
            });
      } catch (RuntimeException e) {
        LOG.warn("request failed", e);
        return Future.succeededFuture(Reply.fail(Messages.UNAVAILABLE));
      }
    }

    private void write(JsonObject reply, boolean line) {
      busy = false;
      if (closed) {
        return;
      }
      Buffer out = reply.toBuffer();
      if (line) {
        socket.write(out.appendByte((byte) '\n'));
        if (refusing && lines.isEmpty()) {
          refuse();
        } else if (lines.isEmpty() && (ended || stopping)) {
          socket.close();
        } else {
          next();
        }
      } else {
        socket.write(out).onComplete(x -> socket.close());
      }
    }

    /**
     * Stops reading; the complete lines read before the long one are still answered, in order,
     * then the refusal is written and the connection closed.
     */
    private void tooLong() {
      socket.pause();
      refusing = true;
      pending = Buffer.buffer();
      cancelTimer();
      if (!busy && lines.isEmpty()) {
        refuse();
      } else {
        next();
      }
    }

    private void refuse() {
      closed = true;
      socket.write(Reply.fail(Messages.TOO_LONG).toBuffer().appendByte((byte) '\n'))
          .onComplete(x -> socket.close());
    }

    private void cancelTimer() {
      if (timer >= 0) {
        vertx.cancelTimer(timer);
        timer = -1;
      }
    }
  }

  /**
   * Counts the socket reads of one connection until there are two, then steps out of the
   * pipeline. Netty reads into a buffer of its own size; a read that does not fill it emptied the
   * socket's receive queue: nothing else had arrived yet.
   */
  private static final class FirstRead extends ChannelInboundHandlerAdapter {
    /** Reads with bytes so far, counted up to 2. */
    int reads;
    /** Bytes and fullness of the first read. */
    int bytes;
    boolean filled;

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (msg instanceof ByteBuf buf && buf.isReadable()) {
        if (++reads == 1) {
          bytes = buf.readableBytes();
          filled = !buf.isWritable();
        } else {
          ctx.pipeline().remove(this);
        }
      }
      ctx.fireChannelRead(msg);
    }
  }

  /**
   * Whether {@code b} (not empty) does not end inside a UTF-8 sequence: its last lead byte has
   * all the continuation bytes it announces. Malformed bytes count as ended, since more bytes
   * cannot mend them; the request is refused as not UTF-8 either way.
   */
  static boolean endsOnWholeCharacter(Buffer b) {
    int end = b.length();
    for (int back = 1; back <= 4 && back <= end; back++) {
      int lead = b.getByte(end - back) & 0xFF;
      if ((lead & 0xC0) == 0x80) {
        continue; // a continuation byte: its lead is further back
      }
      int length = lead < 0x80 ? 1 : lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
      return back >= length || lead >= 0xF8;
    }
    return true; // only continuation bytes at the end: malformed already
  }

  /** The ASCII bytes {@link String#strip()} treats as whitespace, the newline aside. */
  static boolean isSpace(byte b) {
    return b == ' ' || b == '\t' || b == '\r' || b == 0x0B || b == '\f' || (b >= 0x1C && b <= 0x1F);
  }

  private static String decode(Buffer raw) throws CharacterCodingException {
    byte[] bytes = raw.getBytes();
    int end = bytes.length;
    if (end > 0 && bytes[end - 1] == '\r') {
      end--;
    }
    return StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT)
        .onUnmappableCharacter(CodingErrorAction.REPORT)
        .decode(ByteBuffer.wrap(bytes, 0, end))
        .toString();
  }
}
