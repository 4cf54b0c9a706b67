package chat.messaging;

import io.vertx.amqp.AmqpClient;
import io.vertx.amqp.AmqpClientOptions;
import io.vertx.amqp.AmqpConnection;
import io.vertx.amqp.AmqpMessage;
import io.vertx.amqp.AmqpReceiver;
import io.vertx.amqp.AmqpSender;
import io.vertx.core.AsyncResult;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The one way this project talks to the broker: one AMQP connection, opened on first use and
 * opened again whenever it drops (the AMQP client does not reconnect by itself), to the next
 * of the given brokers in turn. Sends go through one anonymous sender and complete when the
 * broker has accepted the message. Receivers are remembered: every time the connection is
 * opened again they are attached again and the {@link #onConnect} handlers run (an instance
 * registers anew, say), so a restarted or failed-over broker is caught up with by itself.
 *
 * <p>A link with receivers or connect handlers keeps trying to connect, with a back-off of up
 * to {@link #MAX_RETRY_MILLIS}; a link that only sends connects again on the next send.
 * Safe to use from any thread.
 */
public final class BrokerLink {
  static final long FIRST_RETRY_MILLIS = 100;
  static final long MAX_RETRY_MILLIS = 2_000;
  /** How long one broker may take to open a connection (and attach its receivers). */
  static final long OPEN_TIMEOUT_MILLIS = 5_000;
  /** How long a send to a pair waits for one of its brokers to be live: a failover takes well under that. */
  static final long FAILOVER_PATIENCE_MILLIS = 5_000;
  private static final Logger LOG = LoggerFactory.getLogger(BrokerLink.class);

  private final Vertx vertx;
  private final String name;
  private final List<AmqpClient> clients = new ArrayList<>();
  private final Map<String, Handler<AmqpMessage>> receivers = new LinkedHashMap<>();
  private final List<Handler<Void>> onConnect = new ArrayList<>();
  /** Which of the brokers is tried next. */
  private int next;
  /** The open or opening connection, or null. */
  private Future<Live> live;
  private long retryMillis = FIRST_RETRY_MILLIS;
  private long retryTimer = -1;
  private boolean closed;

  /** One open connection and what was attached to it. */
  private static final class Live {
    final AmqpConnection connection;
    final Map<String, Future<AmqpReceiver>> receivers = new HashMap<>();
    Future<AmqpSender> sender;

    Live(AmqpConnection connection) {
      this.connection = connection;
    }
  }

  /**
   * @param brokers how to reach each broker of a pair (or the one broker), in the order tried
   * @param name    what log lines call this link
   */
  public BrokerLink(Vertx vertx, List<AmqpClientOptions> brokers, String name) {
    if (brokers.isEmpty()) {
      throw new IllegalArgumentException("no broker to connect to");
    }
    this.vertx = vertx;
    this.name = name;
    brokers.forEach(o -> clients.add(AmqpClient.create(vertx, new AmqpClientOptions(o).setReconnectAttempts(0))));
  }

  /** The body of {@code message} as a JSON object, or null when it is not one (a stranger's, or a damaged one). */
  public static JsonObject jsonBody(AmqpMessage message) {
    try {
      return message.bodyAsJsonObject();
    } catch (RuntimeException e) {
      return null;
    }
  }

  /**
   * {@code handler}, run on {@code context} whatever thread calls it. A link delivers what it
   * receives, and completes its futures, on the thread of whoever opened its connection: a
   * verticle that shares a link with other parts of its process wraps what touches its state.
   */
  private static <T> Handler<T> on(Context context, Handler<T> handler) {
    return x -> {
      if (Vertx.currentContext() == context) {
        handler.handle(x);
      } else {
        context.runOnContext(v -> handler.handle(x));
      }
    };
  }

  /** {@code future}'s outcome, with its callbacks run on {@code context} (see {@link #on(Context, Handler)}). */
  public static <T> Future<T> on(Context context, Future<T> future) {
    Promise<T> promise = Promise.promise();
    Handler<AsyncResult<T>> complete = ar -> {
      if (ar.succeeded()) {
        promise.complete(ar.result());
      } else {
        promise.fail(ar.cause());
      }
    };
    future.onComplete(on(context, complete));
    return promise.future();
  }

  /**
   * A link of one of the service's own processes, which proves itself with its service
   * principal, to every broker of {@code broker}'s URL list (both of a pair), tried in turn.
   */
  public static BrokerLink service(Vertx vertx, BrokerOptions broker, String name) {
    List<AmqpClientOptions> brokers = new ArrayList<>();
    broker.urls().forEach(url -> brokers.add(serviceOptions(broker, url)));
    return new BrokerLink(vertx, brokers, name);
  }

  /** How this process connects to the broker at {@code url}: as its service principal, which the broker checks. */
  static AmqpClientOptions serviceOptions(BrokerOptions broker, String url) {
    AmqpClientOptions options = new AmqpClientOptions()
        .setHost(BrokerOptions.urlHost(url))
        .setPort(BrokerOptions.urlPort(url))
        .setConnectTimeout(5_000)
        .setReconnectAttempts(0);
    if (broker.user() != null && !broker.user().isEmpty()) {
      options.setUsername(broker.user()).setPassword(broker.password());
    }
    if (BrokerOptions.secure(url)) {
      if (broker.tls().enabled()) {
        broker.tls().client(options);
      } else {
        options.setSsl(true).setHostnameVerificationAlgorithm("HTTPS");
      }
    }
    return options;
  }

  /** Runs {@code handler} after every connect, once the receivers are attached; the link then keeps reconnecting. */
  public synchronized BrokerLink onConnect(Handler<Void> handler) {
    onConnect.add(handler);
    return this;
  }

  /** Stops running {@code handler} (the very object given to {@link #onConnect}) after connects. */
  public synchronized void removeOnConnect(Handler<Void> handler) {
    onConnect.remove(handler);
  }

  /** Opens the connection now if it is not open: completes once it is, with its receivers attached. */
  public Future<Void> connect() {
    return live().mapEmpty();
  }

  /** Whether the connection is open right now. */
  public synchronized boolean connected() {
    return live != null && live.succeeded() && !live.result().connection.isDisconnected();
  }

  /**
   * Delivers what arrives on {@code address} to {@code handler}, now and after every reconnect.
   * Completes once the receiver is attached, so nothing sent afterwards is missed.
   */
  public Future<Void> receive(String address, Handler<AmqpMessage> handler) {
    synchronized (this) {
      receivers.put(address, handler);
    }
    return live().compose(l -> attach(l, address)).mapEmpty();
  }

  /**
   * {@link #receive(String, Handler)} for a verticle that shares this link with other parts of
   * its process: {@code handler} runs, and the returned future completes, on {@code context}
   * (see {@link #on(Context, Handler)}).
   */
  public Future<Void> receive(Context context, String address, Handler<AmqpMessage> handler) {
    return on(context, receive(address, on(context, handler)));
  }

  /** Stops receiving from {@code address}. */
  public Future<Void> stopReceiving(String address) {
    Future<AmqpReceiver> attached;
    synchronized (this) {
      receivers.remove(address);
      attached = live != null && live.succeeded() ? live.result().receivers.remove(address) : null;
    }
    return attached == null ? Future.succeededFuture() : attached.compose(AmqpReceiver::close).otherwiseEmpty();
  }

  /**
   * Sends {@code message} to its address; completes when the broker accepted it. A failed send
   * drops the connection. With a pair, a send that finds no broker to connect to (the backup is
   * still taking over) tries again for up to {@link #FAILOVER_PATIENCE_MILLIS}; a message that
   * was on its way when the connection broke is not sent twice: that send fails.
   */
  public Future<Void> send(AmqpMessage message) {
    long deadline = System.nanoTime() + (clients.size() > 1 ? FAILOVER_PATIENCE_MILLIS : 0) * 1_000_000;
    return connected(deadline, FIRST_RETRY_MILLIS).compose(this::sender).compose(s -> s.sendWithAck(message))
        .onFailure(e -> {
          LOG.warn("{}: send to {} failed: {}", name, message.address(), e.getMessage());
          dropSender();
        });
  }

  /** The open connection, connecting until {@code deadline} (nanoTime) if none of the brokers answers. */
  private Future<Live> connected(long deadline, long delay) {
    return live().recover(e -> {
      if (isClosed() || System.nanoTime() + delay * 1_000_000 > deadline) {
        return Future.failedFuture(e);
      }
      return vertx.timer(delay).compose(t -> connected(deadline, Math.min(delay * 2, MAX_RETRY_MILLIS)));
    });
  }

  public Future<Void> close() {
    List<Future<Void>> closing = new ArrayList<>();
    synchronized (this) {
      closed = true;
      if (retryTimer >= 0) {
        vertx.cancelTimer(retryTimer);
      }
      live = null;
    }
    clients.forEach(c -> closing.add(c.close()));
    return Future.join(closing).mapEmpty();
  }

  // ---- the connection ----

  private synchronized Future<Live> live() {
    if (closed) {
      return Future.failedFuture("the broker link " + name + " is closed");
    }
    if (live == null || (live.isComplete() && (live.failed() || live.result().connection.isDisconnected()))) {
      live = open();
    }
    return live;
  }

  /**
   * Connects to the next broker, and on failure to the one after, once round the list: a
   * broker of a pair that is down or passive costs one refused connection, not a failed send.
   */
  private Future<Live> open() {
    int first;
    synchronized (this) {
      first = next;
    }
    return openFrom(first, clients.size()).onSuccess(l -> opened()).onFailure(this::failed);
  }

  private Future<Live> openFrom(int index, int left) {
    return openOne(clients.get(index)).recover(e -> {
      if (left <= 1 || isClosed()) {
        return Future.failedFuture(e);
      }
      LOG.debug("{}: cannot connect to broker {}: {}", name, index, e.getMessage());
      int following = (index + 1) % clients.size();
      synchronized (this) {
        next = following;
      }
      return openFrom(following, left - 1);
    });
  }

  private synchronized boolean isClosed() {
    return closed;
  }

  /**
   * One broker. One that takes the connection but never opens it (a broker becoming live, say)
   * must not hold the link forever: past {@link #OPEN_TIMEOUT_MILLIS} the attempt counts as
   * failed, and a connection that opens after all is closed again.
   */
  private Future<Live> openOne(AmqpClient client) {
    Promise<Live> opening = Promise.promise();
    long timer = vertx.setTimer(OPEN_TIMEOUT_MILLIS, t -> opening.tryFail("the broker did not open the connection within "
        + OPEN_TIMEOUT_MILLIS + " ms"));
    attempt(client).onComplete(ar -> {
      vertx.cancelTimer(timer);
      boolean taken = ar.succeeded() ? opening.tryComplete(ar.result()) : opening.tryFail(ar.cause());
      if (!taken && ar.succeeded()) {
        ar.result().connection.close();
      }
    });
    return opening.future();
  }

  private Future<Live> attempt(AmqpClient client) {
    return client.connect().compose(c -> {
      Live l = new Live(c);
      c.exceptionHandler(e -> dropped(l, e.getMessage()));
      c.closeFuture().onComplete(x -> dropped(l, "closed"));
      List<String> addresses;
      synchronized (this) {
        addresses = new ArrayList<>(receivers.keySet());
      }
      List<Future<AmqpReceiver>> attaching = new ArrayList<>();
      addresses.forEach(a -> attaching.add(attach(l, a)));
      // the sender is attached at once, not waited for: the first send (an instance's
      // registration) finds it ready instead of attaching it first; one that fails is made
      // again by that send
      sender(l);
      return Future.join(attaching).otherwiseEmpty().map(l);
    });
  }

  /** Attaches the receiver of {@code address} on {@code l}, once per connection. */
  private Future<AmqpReceiver> attach(Live l, String address) {
    synchronized (this) {
      Handler<AmqpMessage> handler = receivers.get(address);
      if (handler == null) {
        return Future.failedFuture("not receiving from " + address);
      }
      return l.receivers.computeIfAbsent(address, a -> l.connection.createReceiver(a)
          .onSuccess(r -> r.handler(handler))
          .onFailure(e -> LOG.warn("{}: cannot receive from {}: {}", name, a, e.getMessage())));
    }
  }

  private synchronized Future<AmqpSender> sender(Live l) {
    if (l.sender == null || l.sender.failed()) {
      l.sender = l.connection.createAnonymousSender();
    }
    return l.sender;
  }

  private void opened() {
    List<Handler<Void>> handlers;
    synchronized (this) {
      retryMillis = FIRST_RETRY_MILLIS;
      handlers = new ArrayList<>(onConnect);
    }
    handlers.forEach(h -> h.handle(null));
  }

  private synchronized void failed(Throwable e) {
    LOG.debug("{}: cannot connect to broker {}: {}", name, next, e.getMessage());
    next = (next + 1) % clients.size();
    retryLater();
  }

  /** The connection of {@code l} went away: forget it, and open another if anything waits on it. */
  private synchronized void dropped(Live l, String why) {
    if (live != null && live.succeeded() && live.result() == l) {
      LOG.info("{}: broker connection lost ({}), reconnecting", name, why);
      live = null;
      next = (next + 1) % clients.size();
      retryLater();
    }
  }

  private synchronized void dropSender() {
    if (live != null && live.succeeded()) {
      live.result().sender = null;
    }
  }

  /** Links that receive or react to connects keep trying; send-only links connect on their next send. */
  private void retryLater() {
    if (closed || retryTimer >= 0 || (receivers.isEmpty() && onConnect.isEmpty())) {
      return;
    }
    long delay = retryMillis;
    retryMillis = Math.min(MAX_RETRY_MILLIS, retryMillis * 2);
    retryTimer = vertx.setTimer(delay, t -> {
      synchronized (this) {
        retryTimer = -1;
      }
      live().onFailure(e -> { });
    });
  }
}
