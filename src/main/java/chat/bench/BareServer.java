package chat.bench;

import chat.Main;
import chat.config.CommandLineSpec;
import chat.protocol.Messages;
import chat.store.Db;
import chat.store.StoreOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The physical limit of the box for the reference wire mode: a plain Vert.x NetServer, set up
 * like the service's login server (the same Vert.x, its default options, one verticle and so
 * one event loop for the connections, TCP_NODELAY, the same backlog), that answers every
 * request with a fixed small JSON and closes. No parsing beyond the first word, no store (but see
 * below), no broker. {@code register}, {@code login} and every other command get {@code "status": 0};
 * the login reply has the shape of the service's (token, channels, and {@code server} naming
 * this address as the application server), so {@link Bench} and loadc drive it with the same
 * mixes as the service. It names no broker: the mixes that time deliveries do not time them here.
 *
 * <p>By default a request is answered as soon as its first bytes arrive (on loopback a request
 * written at once arrives at once); {@code --quiet-ms} waits that long after the last byte
 * first, as the service's reference mode does ({@code WireOptions.quietMillis}, 2 ms).
 *
 * <p>With {@code --store-url} every request but a login first makes one round trip to that store
 * through the service's own client ({@link Db}: a worker thread, the pool, the kept
 * statements), as each application command of an instance does: an indexed read of the users
 * table by a token's hash, which finds nothing. That is the least an instance can do for a
 * command, since it keeps nothing of its own (docs/PERFORMANCE.md, seventeenth round). The
 * store's user and password are taken as an instance takes them, from {@code CHAT_STORE_USER}
 * and {@code CHAT_STORE_PASSWORD}; the worker pool is as large as the store's pool.
 */
public final class BareServer implements Callable<Integer> {
  /** What an empty command line gives; the help states it. */
  private static final BareServer DEFAULTS = new BareServer();
  static final CommandLineSpec COMMAND_LINE = new CommandLineSpec("bare-server", "",
      "A bare baseline: answers every reference-mode request with a fixed JSON and closes.")
      .option("host", "IP", "address to listen on; loopback only (default: " + DEFAULTS.host + ")")
      .option("port", "PORT", "port to listen on, 0 for any free one (default: " + DEFAULTS.port + ")")
      .option("instances", "N", "verticle instances, each with its own event loop; the service's "
          + "login server is one (default: " + DEFAULTS.instances + ")")
      .option("quiet-ms", "MS", "wait this long after the last byte before answering, "
          + "as the service's reference mode does (default: " + DEFAULTS.quietMillis + ": answer at once)")
      .option("store-url", "URL", "before answering a request other than login, read once from this store "
          + "(jdbc:hsqldb:hsql://... or jdbc:postgresql://...) as an application command does; user and password "
          + "from CHAT_STORE_USER and CHAT_STORE_PASSWORD (default: none)")
      .option("store-pool", "N", "connections to the store, and worker threads (default: " + DEFAULTS.storePool
          + ", the service's store.poolSize)");

  /** The read made for a request with {@code --store-url}: an application command's lookup of its session. */
  static final String PROBE = "SELECT id FROM users WHERE token_hash = ?";
  /** A token hash that no session has: the read finds nothing, as for a command with a stale token. */
  static final String NO_HASH = "0".repeat(64);

  String host = "127.0.0.1";
  int port = 9999;
  int instances = 1;
  int quietMillis = 0;
  String storeUrl = "";
  int storePool = 8;

  private static BareServer of(CommandLineSpec.Args args) throws CommandLineSpec.UsageException {
    BareServer s = new BareServer();
    s.host = args.string("host", s.host);
    s.port = args.integer("port", s.port);
    s.instances = args.integer("instances", s.instances);
    s.quietMillis = args.integer("quiet-ms", s.quietMillis);
    s.storeUrl = args.string("store-url", s.storeUrl);
    s.storePool = args.integer("store-pool", s.storePool);
    return s;
  }

  /** The replies: fixed by the address the server listens on. */
  record Replies(Buffer login, Buffer ok, Buffer failed) {
    static Replies of(String host, int port) {
      JsonObject login = new JsonObject()
          .put("status", 0)
          .put("message", Messages.SUCCESS)
          .put("token", "bare0000000000000000000000000000")
          .put("channel", new JsonArray().add(new JsonObject().put("type", 0).put("channel", "bare")))
          .put("server", new JsonObject().put("id", "bare").put("host", host).put("port", port));
      JsonObject ok = new JsonObject().put("status", 0).put("message", Messages.SUCCESS);
      JsonObject failed = new JsonObject().put("status", 1).put("message", "the store failed");
      return new Replies(login.toBuffer(), ok.toBuffer(), failed.toBuffer());
    }

    /** The reply to a request: the login reply when its first word is {@code login}. */
    Buffer to(Buffer request) {
      return isLogin(request) ? login : ok;
    }

    static boolean isLogin(Buffer request) {
      int n = Math.min(request.length(), 6);
      byte[] first = request.getBytes(0, n);
      return n >= 5 && new String(first, 0, 5, StandardCharsets.US_ASCII).equals("login")
          && (n == 5 || first[5] == ' ' || first[5] == '\n' || first[5] == '\r');
    }
  }

  /**
   * One event loop's share of the connections. Its replies name the port its connections came
   * to, taken from the first of them: a connection can arrive as soon as the port is bound,
   * before the deployment that bound it has completed.
   */
  static final class Listener extends VerticleBase {
    private final String host;
    private final int port;
    private final int quietMillis;
    /** The store read before each answer but a login's, or null. */
    private final Db store;
    /** Set by the event loop's first connection; read and written on that event loop only. */
    private Replies replies;
    private NetServer server;

    Listener(String host, int port, int quietMillis, Db store) {
      this.host = host;
      this.port = port;
      this.quietMillis = quietMillis;
      this.store = store;
    }

    @Override
    public Future<?> start() {
      server = vertx.createNetServer(new NetServerOptions()
              .setHost(host)
              .setPort(port)
              .setTcpNoDelay(true)
              .setAcceptBacklog(4096))
          .connectHandler(this::serve);
      return server.listen();
    }

    int actualPort() {
      return server.actualPort();
    }

    private Replies replies(NetSocket socket) {
      if (replies == null) {
        replies = Replies.of(host, socket.localAddress().port());
      }
      return replies;
    }

    private void serve(NetSocket socket) {
      Buffer pending = Buffer.buffer(64);
      long[] timer = {-1};
      boolean[] answered = {false};
      Runnable answer = () -> {
        if (!answered[0]) {
          answered[0] = true;
          Replies r = replies(socket);
          if (store == null || Replies.isLogin(pending)) {
            socket.write(r.to(pending)).onComplete(x -> socket.close());
          } else {
            store.autoCommit(sql -> sql.exists(PROBE, NO_HASH))
                .map(found -> r.ok)
                .otherwise(e -> r.failed)
                .onComplete(reply -> socket.write(reply.result()).onComplete(x -> socket.close()));
          }
        }
      };
      socket.handler(data -> {
        if (answered[0]) {
          return;
        }
        pending.appendBuffer(data);
        if (quietMillis <= 0) {
          answer.run();
          return;
        }
        if (timer[0] >= 0) {
          vertx.cancelTimer(timer[0]);
        }
        timer[0] = vertx.setTimer(quietMillis, id -> answer.run());
      });
      socket.endHandler(v -> socket.close());
      socket.exceptionHandler(e -> socket.close());
    }
  }

  /** A running bare server: its port, and how to stop it. */
  record Running(Vertx vertx, int port, Db store) {
    Future<Void> close() {
      return (store == null ? Future.<Void>succeededFuture() : store.close()).eventually(vertx::close);
    }
  }

  /** Starts a bare server on {@code vertx}: {@code instances} verticles sharing one port. */
  static Future<Running> start(Vertx vertx, String host, int port, int instances, int quietMillis) {
    return start(vertx, host, port, instances, quietMillis, null);
  }

  /** As above, each request but a login reading from {@code store} first, when it is not null. */
  static Future<Running> start(Vertx vertx, String host, int port, int instances, int quietMillis, Db store) {
    Listener[] first = new Listener[1];
    return vertx.deployVerticle(() -> {
          Listener l = new Listener(host, port, quietMillis, store);
          if (first[0] == null) {
            first[0] = l;
          }
          return l;
        }, new io.vertx.core.DeploymentOptions().setInstances(instances))
        .map(id -> new Running(vertx, first[0].actualPort(), store));
  }

  @Override
  public Integer call() throws Exception {
    if (!InetAddress.getByName(host).isLoopbackAddress()) {
      System.err.println("bare-server: --host must be a loopback address");
      return 2;
    }
    if (port < 0 || port > 65535 || instances < 1 || instances > 64 || quietMillis < 0 || quietMillis > 1000
        || storePool < 1 || storePool > 64) {
      System.err.println("bare-server: --port 0..65535, --instances 1..64, --quiet-ms 0..1000, --store-pool 1..64");
      return 2;
    }
    String storeUser = System.getenv().getOrDefault("CHAT_STORE_USER", "");
    if (!storeUrl.isEmpty() && storeUser.isEmpty()) {
      System.err.println("bare-server: --store-url needs CHAT_STORE_USER (and CHAT_STORE_PASSWORD)");
      return 2;
    }
    // the service's own options (chat.Main): default event loop pool, the same blocked-thread
    // check, the same transport (epoll where it loads)
    Vertx vertx = Vertx.vertx(storeUrl.isEmpty() ? Main.baseVertxOptions()
        : Main.baseVertxOptions().setWorkerPoolSize(storePool));
    Db store = storeUrl.isEmpty() ? null : Db.open(vertx, new StoreOptions(storeUrl, storeUser,
        System.getenv().getOrDefault("CHAT_STORE_PASSWORD", ""), storePool));
    Running running;
    try {
      running = start(vertx, host, port, instances, quietMillis, store).await(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      System.err.println("bare-server: cannot listen on " + host + ":" + port + ": " + e.getMessage());
      new Running(vertx, port, store).close().await(10, TimeUnit.SECONDS);
      return 1;
    }
    System.out.printf("bare-server listening on %s:%d (%d instance%s, quiet %d ms%s)%n", host, running.port(),
        instances, instances == 1 ? "" : "s", quietMillis,
        store == null ? "" : ", one store read a request over " + storePool + " connections");
    System.out.flush();
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        running.close().await(10, TimeUnit.SECONDS);
      } catch (Exception e) {
        // leaving anyway
      }
      stopped.countDown();
    }));
    stopped.await();
    return 0;
  }

  public static void main(String[] args) {
    Main.withoutIdleRecorderEvents();
    System.exit(COMMAND_LINE.run(args, System.out, System.err, parsed -> of(parsed).call()));
  }
}
