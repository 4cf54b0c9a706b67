package chat.bench;

import chat.Main;
import chat.config.CommandLineSpec;
import chat.protocol.SafeText;
import chat.wire.ClientTls;
import chat.messaging.BrokerLink;
import io.vertx.amqp.AmqpMessage;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Load generator for an already running chat service: sets up pairs of friends with a group
 * each, drives a fixed command mix from {@code --clients} threads, measures command latency
 * and broker delivery latency (send to receipt over AMQP), prints a report, and deletes its
 * users. Contacts only the given host and loopback addresses; every phase is bounded in time.
 */
public final class Bench implements Callable<Integer> {
  /** What an empty command line gives; the help states it. */
  private static final Bench DEFAULTS = new Bench();
  static final CommandLineSpec COMMAND_LINE = new CommandLineSpec("bench", "",
      "Drives a running chat service with a fixed command mix and reports latencies.")
      .option("host", "IP", "login server address (default: " + DEFAULTS.host + ")")
      .option("port", "PORT", "login server port (default: " + DEFAULTS.port + ")")
      .option("clients", "N", "concurrent clients (threads, each with one connection at a time) (default: " + DEFAULTS.clients + ")")
      .option("mix", "MIX", "command mix: full (list-friend, receive-post, post, login), app (the first three), "
          + "login, messaging (send, send-group, deliveries timed), fanout (send-group only, deliveries timed; with "
          + "--group-size), mixed (posts, lists, sends) (default: " + DEFAULTS.mix + ")")
      .option("users", "N", "users the load is spread over, so that no user reaches the service's "
          + "per-user write limits (default: max(clients, " + Bench.SOLO_USERS + "), twice that for the mixes "
          + "with friends, messaging, fanout and mixed; with --group-size N over 2, N per client)")
      .option("server-pid", "PID", "process of the service: its CPU time and its "
          + "descendants' (/proc) over the measured window is reported per command")
      .option("seconds", "N", "measured duration in seconds (default: " + DEFAULTS.seconds + ")")
      .option("warmup", "N", "warm-up seconds before measuring (default: " + DEFAULTS.warmup + ")")
      .option("prefix", "TEXT", "user and group name prefix (default: random)")
      .option("mode", "MODE", "reference (a connection per request, no terminator) or persistent "
          + "(newline-terminated requests on kept-open connections) (default: " + DEFAULTS.mode + ")")
      .option("drain", "N", "seconds to wait for outstanding deliveries after the load (default: " + DEFAULTS.drainSeconds + ")")
      .option("setup-timeout", "N", "seconds allowed for setup (default: " + DEFAULTS.setupTimeoutSeconds + ")")
      .flag("tls", "speak TLS to the login and application servers, verifying their certificate")
      .option("ca", "FILE", "CA or server certificate (PEM) to verify against (implies --tls; default: the JVM's trust store)")
      .option("rate", "PER_SECOND", "open loop: issue this many commands a second "
          + "in all, on a fixed schedule spread over the clients, whatever the replies take; latencies (and delivery "
          + "latencies) count from the scheduled moment, so a server that falls behind shows its queue (default: closed "
          + "loop, each client sends its next command when the last is answered)")
      .option("group-size", "N", "members of each group in the mixes that send: "
          + "the sender, its friend and N - 2 more users, each subscribed to the group; every send-group is timed to "
          + "each of the N (default: " + DEFAULTS.groupSize + ")")
      .option("hold", "SECONDS", "no load: register and log in the --users, keep "
          + "them logged in (tokens valid) for SECONDS, then delete them; for measuring the service's memory per "
          + "online user. With --mix login or app no connection stays open; the mixes with friends also set up "
          + "their friends, groups and broker subscriptions (an AMQP connection per receiving user)");

  String host = "127.0.0.1";
  int port = 8888;
  int clients = 50;
  Mix mix = Mix.mixed;
  Integer users;
  Integer serverPid;
  int seconds = 20;
  int warmup = 3;
  String prefix;
  Transport.Mode mode = Transport.Mode.reference;
  int drainSeconds = 5;
  int setupTimeoutSeconds = 180;
  boolean tls;
  java.nio.file.Path ca;
  Integer rate;
  int groupSize = 2;
  Integer hold;

  /** A bench run with the options of {@code args}, or why they cannot be read. */
  static Bench parse(String... args) throws CommandLineSpec.UsageException {
    return of(COMMAND_LINE.parse(args));
  }

  private static Bench of(CommandLineSpec.Args args) throws CommandLineSpec.UsageException {
    Bench b = new Bench();
    b.host = args.string("host", b.host);
    b.port = args.integer("port", b.port);
    b.clients = args.integer("clients", b.clients);
    b.mix = args.choice("mix", Mix.class, b.mix);
    b.users = args.integer("users", null);
    b.serverPid = args.integer("server-pid", null);
    b.seconds = args.integer("seconds", b.seconds);
    b.warmup = args.integer("warmup", b.warmup);
    b.prefix = args.string("prefix", null);
    b.mode = args.choice("mode", Transport.Mode.class, b.mode);
    b.drainSeconds = args.integer("drain", b.drainSeconds);
    b.setupTimeoutSeconds = args.integer("setup-timeout", b.setupTimeoutSeconds);
    b.tls = args.has("tls");
    b.ca = args.path("ca");
    b.rate = args.integer("rate", null);
    b.groupSize = args.integer("group-size", b.groupSize);
    b.hold = args.integer("hold", null);
    return b;
  }

  /** Runs the bench with {@code args}: its exit status. */
  static int run(String... args) {
    return COMMAND_LINE.run(args, System.out, System.err, parsed -> of(parsed).call());
  }

  /** Posts the friend makes during setup, so receive-post returns a fixed, non-empty list. */
  private static final int FRIEND_POSTS = 3;
  private static final int MAX_CLIENTS = 2_000;
  private static final int MAX_GROUP = 1_000;
  private static final int MAX_RATE = 1_000_000;
  private static final int SETUP_THREADS = 8;
  private static final String BAD_LOGIN = "No such user or password error";

  /** The commands of the mix, in the order every client repeats them. */
  enum Cmd {
    POST("post"), RECEIVE_POST("receive-post"), LIST_FRIEND("list-friend"), LIST_INVITE("list-invite"),
    LIST_GROUP("list-group"), LIST_JOINED("list-joined"), SEND("send"), SEND_GROUP("send-group"), LOGIN("login");

    final String word;

    Cmd(String word) {
      this.word = word;
    }
  }

  /** Default users of the mixes without friends: enough to stay under 100 writes/s per user up to 15,000 req/s. */
  static final int SOLO_USERS = 50;
  /** The service's default per-user write rate ({@code limits.writesPerSecond}), for the report. */
  static final int DEFAULT_WRITES_PER_SECOND = 100;

  /** The fixed command mixes; each client repeats its mix's commands in order. */
  enum Mix {
    full(false, Cmd.LIST_FRIEND, Cmd.RECEIVE_POST, Cmd.POST, Cmd.LOGIN),
    app(false, Cmd.LIST_FRIEND, Cmd.RECEIVE_POST, Cmd.POST),
    login(false, Cmd.LOGIN),
    messaging(true, Cmd.SEND, Cmd.SEND_GROUP),
    fanout(true, Cmd.SEND_GROUP),
    mixed(true, Cmd.POST, Cmd.RECEIVE_POST, Cmd.LIST_FRIEND, Cmd.LIST_INVITE, Cmd.LIST_GROUP, Cmd.LIST_JOINED,
        Cmd.SEND, Cmd.SEND_GROUP);

    /** Whether each driving user has a friend (with posts) and a group: the mixes that send. */
    final boolean paired;
    final List<Cmd> commands;

    Mix(boolean paired, Cmd... commands) {
      this.paired = paired;
      this.commands = List.of(commands);
    }
  }

  private final PrintStream out = System.out;
  private final PrintStream err = System.err;
  private InetSocketAddress loginServer;
  private ClientTls transportTls = ClientTls.plain();
  private InetAddress hostAddress;
  private Vertx vertx;
  /** Each user's own link to the broker, keeping its subscriptions. */
  private final Map<String, BrokerLink> brokers = new LinkedHashMap<>();

  // the measured window, in System.nanoTime(); nothing counts before it is set
  private volatile long measureStart = Long.MAX_VALUE;
  private volatile long measureEnd = Long.MAX_VALUE;
  private final Samples directLatency = new Samples();
  private final Samples groupLatency = new Samples();
  private final AtomicLong deliveriesOutside = new AtomicLong();
  private final AtomicLong deliveriesUnreadable = new AtomicLong();
  /** Set when a login reply names no application server or broker (the 2018 reference server). */
  private volatile boolean noAppServer;
  private volatile boolean noBroker;
  /** The machine-readable summary, printed last once a load has run. */
  private String resultLine;

  public static void main(String[] args) {
    Main.withoutIdleRecorderEvents();
    System.exit(run(args));
  }

  /** A bench user: its name and, once logged in, where it is served. */
  static final class User {
    final String name;
    volatile boolean registered;
    volatile String token;
    InetSocketAddress server;
    String broker;
    String personalChannel;

    User(String name) {
      this.name = name;
    }
  }

  /**
   * One client: user {@code a} drives the load, its friend {@code b} receives; both are in the group,
   * with {@code others} ({@code --group-size} - 2 more members).
   */
  static final class Pair {
    final int index;
    final User a;
    final User b;
    final String group;
    final List<User> others = new ArrayList<>();
    String groupChannel;
    /** Writes (post, send, send-group) of user {@code a} in the measured window. */
    final AtomicLong writes = new AtomicLong();

    Pair(int index, User a, User b, String group) {
      this.index = index;
      this.a = a;
      this.b = b;
      this.group = group;
    }
  }

  static final class SetupException extends Exception {
    SetupException(String message) {
      super(message);
    }
  }

  @Override
  public Integer call() {
    String invalid = validate();
    if (invalid != null) {
      err.println("bench: " + invalid);
      return 2;
    }
    if (prefix == null) {
      byte[] b = new byte[3];
      new SecureRandom().nextBytes(b);
      prefix = "bn" + HexFormat.of().formatHex(b);
    }
    try {
      hostAddress = InetAddress.getByName(host);
    } catch (UnknownHostException e) {
      err.println("bench: unknown host " + host);
      return 1;
    }
    loginServer = new InetSocketAddress(hostAddress, port);
    if (tls || ca != null) {
      try {
        transportTls = ClientTls.trusting(ca);
      } catch (IOException e) {
        err.println("bench: " + e.getMessage());
        return 1;
      }
    }
    String unreachable = probe();
    if (unreachable != null) {
      err.println("bench: the chat service is not reachable at " + host + ":" + port + ": " + unreachable);
      return 1;
    }

    List<Pair> pairs = new ArrayList<>();
    for (int i = 0; i < pairCount(); i++) {
      if (!mix.paired) {
        pairs.add(new Pair(i, new User(prefix + "u" + i), null, null));
        continue;
      }
      int first = groupSize * i;
      Pair p = new Pair(i, new User(prefix + "u" + first), new User(prefix + "u" + (first + 1)), prefix + "g" + i);
      for (int m = 2; m < groupSize; m++) {
        p.others.add(new User(prefix + "u" + (first + m)));
      }
      pairs.add(p);
    }
    // the receiving users' broker connections share these event loops: one per core, so that a
    // fan-out's deliveries are not read one after another on one thread
    vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(Runtime.getRuntime().availableProcessors())
        .setWorkerPoolSize(1).setInternalBlockingPoolSize(1));
    try {
      long setupStart = System.nanoTime();
      err.printf("bench: setting up %s on %s:%d (%s mode, %s mix)%n", population(), host, port, mode, mix);
      String failure = setup(pairs);
      if (failure != null) {
        err.println("bench: setup failed: " + SafeText.line(failure));
        return 1;
      }
      double setupSeconds = (System.nanoTime() - setupStart) / 1e9;
      if (hold != null) {
        return hold(membersPerPair() * pairs.size(), setupSeconds);
      }
      err.printf("bench: setup done in %.1f s; warm-up %d s, then measuring %d s%n", setupSeconds, warmup, seconds);
      Load load = load(pairs);
      long expectedDirect = load.sendOk;
      long expectedGroup = (long) groupSize * load.sendGroupOk;
      if (noBroker) {
        expectedDirect = 0;
        expectedGroup = 0;
      }
      drain(expectedDirect, expectedGroup);
      report(load, pairs, setupSeconds, expectedDirect, expectedGroup);
      return 0;
    } finally {
      try {
        closeBroker();
        cleanup(pairs);
        try {
          vertx.close().await(10, TimeUnit.SECONDS);
        } catch (Exception e) {
          // leaving anyway
        }
      } finally {
        // the figures stand even when the cleanup failed (which still ends the run with an error)
        if (resultLine != null) {
          out.println(resultLine);
          out.flush();
        }
      }
    }
  }

  /**
   * The last line of a report, for scripts, with the keys of loadc's: requests per second,
   * p50 and p99 of all commands in ms, errors (replies with status != 0 and i/o errors), then
   * client threads that never finished and the server's CPU per command in µs ({@code -} when
   * not measured).
   */
  static String result(double reqPerSecond, long[] sortedNanos, long errors, int stuck, double serverMicrosPerCommand) {
    return String.format(java.util.Locale.ROOT, "RESULT req_s=%.1f p50_ms=%s p99_ms=%s errors=%d stuck=%d server_cpu_us=%s",
        reqPerSecond, resultMillis(Samples.percentile(sortedNanos, 50)), resultMillis(Samples.percentile(sortedNanos, 99)),
        errors, stuck, serverMicrosPerCommand < 0 ? "-" : String.format(java.util.Locale.ROOT, "%.0f", serverMicrosPerCommand));
  }

  private static String resultMillis(long nanos) {
    return nanos < 0 ? "-" : String.format(java.util.Locale.ROOT, "%.3f", nanos / 1e6);
  }

  /** {@code --hold}: the users are logged in; keep them so, idle, then let the cleanup delete them. */
  private int hold(int loggedIn, double setupSeconds) {
    err.printf("bench: %d users logged in after %.1f s (%.0f/s); holding %d s%n", loggedIn, setupSeconds,
        loggedIn / setupSeconds, hold);
    err.flush();
    sleepUntil(System.nanoTime() + TimeUnit.SECONDS.toNanos(hold));
    resultLine = String.format(java.util.Locale.ROOT, "HOLD users=%d setup_s=%.1f held_s=%d", loggedIn, setupSeconds, hold);
    return 0;
  }

  int userCount() {
    if (users != null) {
      return users;
    }
    if (mix.paired && groupSize > 2) {
      return groupSize * clients;
    }
    return membersPerPair() * Math.max(clients, SOLO_USERS);
  }

  /** Users per pair: one without friends; the sender, its friend and the other members of their group. */
  int membersPerPair() {
    return mix.paired ? groupSize : 1;
  }

  int pairCount() {
    return userCount() / membersPerPair();
  }

  private String population() {
    return mix.paired
        ? String.format("%d users (%d friend pairs, %d groups of %d)", groupSize * pairCount(), pairCount(),
            pairCount(), groupSize)
        : String.format("%d users", pairCount());
  }

  String validate() {
    if (clients < 1 || clients > MAX_CLIENTS) {
      return "--clients must be between 1 and " + MAX_CLIENTS;
    }
    if (groupSize < 2 || groupSize > MAX_GROUP) {
      return "--group-size must be between 2 and " + MAX_GROUP;
    }
    if (groupSize > 2 && !mix.paired) {
      return "--group-size is for the mixes that send (messaging, fanout, mixed)";
    }
    if (users != null && (users < membersPerPair() || users > 2 * MAX_CLIENTS * 10)) {
      return "--users must be between " + membersPerPair() + " and " + (2 * MAX_CLIENTS * 10);
    }
    if (rate != null && (rate < 1 || rate > MAX_RATE)) {
      return "--rate must be between 1 and " + MAX_RATE + " commands a second";
    }
    if (rate != null && hold != null) {
      return "--rate is for a load; --hold runs none";
    }
    if (serverPid != null && serverPid < 1) {
      return "--server-pid must be a process id";
    }
    if (seconds < 1 || seconds > 3600) {
      return "--seconds must be between 1 and 3600";
    }
    if (warmup < 0 || warmup > 600) {
      return "--warmup must be between 0 and 600";
    }
    if (drainSeconds < 0 || drainSeconds > 600) {
      return "--drain must be between 0 and 600";
    }
    if (setupTimeoutSeconds < 1 || setupTimeoutSeconds > 3600) {
      return "--setup-timeout must be between 1 and 3600";
    }
    if (port < 1 || port > 65535) {
      return "--port must be between 1 and 65535";
    }
    if (hold != null && (hold < 1 || hold > 3600)) {
      return "--hold must be between 1 and 3600 seconds";
    }
    if (prefix != null && !prefix.matches("[A-Za-z0-9_]{1,24}")) {
      return "--prefix must be 1 to 24 letters, digits or underscores";
    }
    return null;
  }

  /** One reference-mode request without a token: any JSON answer means a chat service is there. */
  private String probe() {
    try (Transport t = Transport.create(Transport.Mode.reference, transportTls)) {
      JsonObject reply = t.request(loginServer, "list-group");
      if (reply.getInteger("status") == null) {
        return "the answer is not a chat reply: " + reply.encode();
      }
      return null;
    } catch (IOException e) {
      return e.toString();
    }
  }

  /**
   * An address the service pointed us to: the wildcard means the host we used; anything else
   * must be a loopback address or the given host, never a third machine.
   */
  private InetSocketAddress allowed(String h, int p, String what) throws SetupException {
    if (h == null || h.isEmpty() || h.equals("0.0.0.0") || h.equals("::") || h.equals("[::]")) {
      return new InetSocketAddress(hostAddress, p);
    }
    InetAddress a;
    try {
      a = InetAddress.getByName(h);
    } catch (UnknownHostException e) {
      throw new SetupException(what + " " + h + " does not resolve");
    }
    if (!a.isLoopbackAddress() && !a.equals(hostAddress) && !h.equalsIgnoreCase(host)) {
      throw new SetupException(what + " " + h + ":" + p + " is neither a loopback address nor --host "
          + host + "; the bench does not contact other machines");
    }
    return new InetSocketAddress(a, p);
  }

  // ---------------------------------------------------------------------------------------
  // setup

  private String setup(List<Pair> pairs) {
    ExecutorService pool = Executors.newFixedThreadPool(Math.min(SETUP_THREADS, pairs.size()), daemon("bench-setup"));
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(setupTimeoutSeconds);
    AtomicInteger ready = new AtomicInteger();
    try {
      List<Callable<Void>> tasks = new ArrayList<>();
      for (Pair p : pairs) {
        tasks.add(() -> {
          setUp(p, deadline);
          int n = ready.incrementAndGet();
          if (n % Math.max(1, pairs.size() / 5) == 0 || n == pairs.size()) {
            err.printf("bench: %d/%d pairs ready%n", n, pairs.size());
          }
          return null;
        });
      }
      List<Future<Void>> done = pool.invokeAll(tasks, setupTimeoutSeconds, TimeUnit.SECONDS);
      for (Future<Void> f : done) {
        try {
          f.get();
        } catch (CancellationException e) {
          return "not finished within " + setupTimeoutSeconds + " s (" + ready.get() + "/" + pairs.size()
              + " pairs ready); see --setup-timeout";
        } catch (ExecutionException e) {
          Throwable cause = e.getCause();
          return cause instanceof SetupException ? cause.getMessage() : cause.toString();
        }
      }
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "interrupted";
    } finally {
      pool.shutdownNow();
    }
  }

  private void setUp(Pair p, long deadline) throws Exception {
    if (p.b == null) {
      try (Transport t = Transport.create(mode, transportTls)) {
        register(t, p.a);
        login(t, p.a, deadline);
      }
      return;
    }
    try (Transport t = Transport.create(mode, transportTls)) {
      register(t, p.a);
      register(t, p.b);
      login(t, p.a, deadline);
      login(t, p.b, deadline);
      for (int k = 1; k <= FRIEND_POSTS; k++) {
        ok(t, p.b.server, "post " + p.b.token + " bench friend post " + k, "post", p.b);
      }
      ok(t, p.a.server, "invite " + p.a.token + " " + p.b.name, "invite", p.a);
      ok(t, p.b.server, "accept-invite " + p.b.token + " " + p.a.name, "accept-invite", p.b);
      JsonObject created = ok(t, p.a.server, "create-group " + p.a.token + " " + p.group, "create-group", p.a);
      p.groupChannel = created.getString("channel");
      if (p.groupChannel == null && !noBroker) {
        throw new SetupException("create-group " + p.group + ": the reply has no \"channel\": " + created.encode());
      }
      ok(t, p.b.server, "join-group " + p.b.token + " " + p.group, "join-group", p.b);
      for (User u : p.others) {
        register(t, u);
        login(t, u, deadline);
        ok(t, u.server, "join-group " + u.token + " " + p.group, "join-group", u);
      }
    }
    if (p.a.broker == null || p.b.broker == null) {
      return; // deliveries go over a broker this bench does not speak to (the reference server's STOMP)
    }
    // direct messages go to b; a group message reaches both members, as the 2018 client would see it
    subscribe(p.b, "queue://" + p.b.personalChannel);
    subscribe(p.a, "topic://" + p.groupChannel);
    subscribe(p.b, "topic://" + p.groupChannel);
    for (User u : p.others) {
      subscribe(u, "topic://" + p.groupChannel);
    }
  }

  private void register(Transport t, User u) throws IOException, SetupException {
    JsonObject r = t.request(loginServer, "register " + u.name + " " + password());
    if (r.getInteger("status", 1) != 0) {
      throw new SetupException("register " + u.name + ": " + r.getString("message", r.encode()));
    }
    u.registered = true;
  }

  /** Logs in, retrying a few times while the service finds an application server. */
  private void login(Transport t, User u, long deadline) throws IOException, SetupException, InterruptedException {
    String last = null;
    for (int attempt = 1; attempt <= 5; attempt++) {
      JsonObject r;
      try {
        r = t.request(loginServer, "login " + u.name + " " + password());
      } catch (IOException e) {
        if (attempt == 5 || System.nanoTime() > deadline) {
          throw e;
        }
        last = e.toString();
        Thread.sleep(1_000);
        continue;
      }
      if (r.getInteger("status", 1) == 0) {
        loggedIn(u, r);
        return;
      }
      last = r.getString("message", r.encode());
      if (BAD_LOGIN.equals(last) || System.nanoTime() > deadline) {
        break;
      }
      Thread.sleep(1_000);
    }
    throw new SetupException("login " + u.name + ": " + last);
  }

  private void loggedIn(User u, JsonObject r) throws SetupException {
    u.token = r.getString("token");
    JsonObject server = r.getJsonObject("server");
    String broker = r.getString("broker");
    if (u.token == null) {
      throw new SetupException("login " + u.name + ": the reply has no token: " + r.encode());
    }
    if (server == null) {
      // the 2018 reference server: it answers every command itself
      noAppServer = true;
      u.server = loginServer;
    } else {
      u.server = allowed(server.getString("host"), server.getInteger("port", 0), "application server");
    }
    if (broker == null) {
      noBroker = true;
    }
    u.broker = broker;
    if (!mix.paired) {
      return;
    }
    JsonArray channels = r.getJsonArray("channel", new JsonArray());
    for (int i = 0; i < channels.size(); i++) {
      JsonObject ch = channels.getJsonObject(i);
      if (ch.getInteger("type", -1) == 0) {
        u.personalChannel = ch.getString("channel");
      }
    }
    if (u.personalChannel == null) {
      throw new SetupException("login " + u.name + ": no personal channel (type 0) in " + channels.encode());
    }
  }

  private JsonObject ok(Transport t, InetSocketAddress to, String text, String what, User u)
      throws IOException, SetupException {
    JsonObject r = t.request(to, text);
    if (r.getInteger("status", 1) != 0) {
      throw new SetupException(what + " by " + u.name + ": " + r.getString("message", r.encode()));
    }
    return r;
  }

  private String password() {
    return "pw" + prefix;
  }

  // ---------------------------------------------------------------------------------------
  // broker

  /** The user's own broker connection: it proves itself with its name and token, as a client does. */
  private BrokerLink broker(User u) throws Exception {
    synchronized (brokers) {
      BrokerLink link = brokers.get(u.name);
      if (link != null) {
        return link;
      }
      URI uri = URI.create(u.broker);
      InetSocketAddress at = allowed(uri.getHost(), uri.getPort(), "broker");
      String url = uri.getScheme() + "://" + at.getAddress().getHostAddress() + ":" + at.getPort();
      link = new BrokerLink(vertx, List.of(transportTls.amqp(url, u.name, u.token)), "bench " + u.name);
      link.connect().await(15, TimeUnit.SECONDS);
      brokers.put(u.name, link);
      return link;
    }
  }

  /** Attaches a receiver and waits for the attach, so no delivery sent afterwards is missed. */
  private void subscribe(User u, String address) throws Exception {
    broker(u).receive(address, this::delivered).await(15, TimeUnit.SECONDS);
  }

  /** A delivery body {"type":..,"from":..,"to":..,"message":"bench <nanos>"}: latency is now - nanos. */
  private void delivered(AmqpMessage msg) {
    long now = System.nanoTime();
    try {
      JsonObject body = new JsonObject(msg.bodyAsString());
      String text = body.getString("message", "");
      if (!text.startsWith("bench ")) {
        deliveriesUnreadable.incrementAndGet();
        return;
      }
      long sent = Long.parseLong(text.substring("bench ".length()).trim());
      if (sent < measureStart || sent >= measureEnd) {
        deliveriesOutside.incrementAndGet();
        return;
      }
      int type = body.getInteger("type", -1);
      Samples target = type == 0 ? directLatency : type == 1 ? groupLatency : null;
      if (target == null) {
        deliveriesUnreadable.incrementAndGet();
        return;
      }
      synchronized (target) {
        target.add(now - sent);
      }
    } catch (RuntimeException e) {
      deliveriesUnreadable.incrementAndGet();
    }
  }

  private int received(Samples s) {
    synchronized (s) {
      return s.size();
    }
  }

  private void drain(long expectedDirect, long expectedGroup) {
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(drainSeconds);
    while (System.nanoTime() < until
        && (received(directLatency) < expectedDirect || received(groupLatency) < expectedGroup)) {
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  private void closeBroker() {
    synchronized (brokers) {
      for (BrokerLink c : brokers.values()) {
        try {
          c.close().await(5, TimeUnit.SECONDS);
        } catch (Exception e) {
          // leaving anyway
        }
      }
      brokers.clear();
    }
  }

  // ---------------------------------------------------------------------------------------
  // load

  /** Latencies, errors and successful sends, per command: what a thread measured, or all of them. */
  static class Tally {
    final EnumMap<Cmd, Samples> latency = new EnumMap<>(Cmd.class);
    final EnumMap<Cmd, Long> errors = new EnumMap<>(Cmd.class);
    final EnumMap<Cmd, Long> ioErrors = new EnumMap<>(Cmd.class);
    final Map<String, Long> errorKinds = new LinkedHashMap<>();
    long sendOk;
    long sendGroupOk;
    /** Open loop: measured commands a client issued more than {@link #LATE_NANOS} after they were due. */
    long late;

    Tally() {
      for (Cmd c : Cmd.values()) {
        latency.put(c, new Samples());
        errors.put(c, 0L);
        ioErrors.put(c, 0L);
      }
    }

    void add(Tally other) {
      for (Cmd c : Cmd.values()) {
        latency.get(c).addAll(other.latency.get(c));
        errors.merge(c, other.errors.get(c), Long::sum);
        ioErrors.merge(c, other.ioErrors.get(c), Long::sum);
      }
      other.errorKinds.forEach((k, v) -> errorKinds.merge(k, v, Long::sum));
      sendOk += other.sendOk;
      sendGroupOk += other.sendGroupOk;
      late += other.late;
    }
  }

  /** What one client thread measured. */
  static final class Worker extends Tally implements Runnable {
    final List<Pair> mine;
    final List<Cmd> commands;
    final InetSocketAddress loginServer;
    final String password;
    final Transport.Mode mode;
    final ClientTls tls;
    final long start;
    final long end;
    /** Open loop: the schedule's origin, this client's number of {@link #clients}, and the total rate; 0: closed loop. */
    long origin;
    int client;
    int clients;
    double rate;
    long lastEnd;
    volatile boolean finished;

    Worker(List<Pair> mine, List<Cmd> commands, InetSocketAddress loginServer, String password,
           Transport.Mode mode, ClientTls tls, long start, long end) {
      this.mine = mine;
      this.commands = commands;
      this.loginServer = loginServer;
      this.password = password;
      this.mode = mode;
      this.tls = tls;
      this.start = start;
      this.end = end;
    }

    /** Makes this client issue its share of {@code rate} commands a second on a fixed schedule from {@code origin}. */
    Worker openLoop(long origin, int client, int clients, double rate) {
      this.origin = origin;
      this.client = client;
      this.clients = clients;
      this.rate = rate;
      return this;
    }

    @Override
    public void run() {
      long seq = 0;
      long issued = 0;
      int round = 0;
      try (Transport t = Transport.create(mode, tls)) {
        loop:
        while (true) {
          // each round of the mix is made by the next of this client's users
          Pair pair = mine.get(round++ % mine.size());
          User me = pair.a;
          for (Cmd c : commands) {
            long begin = rate > 0 ? due(origin, client, clients, rate, issued++) : System.nanoTime();
            // a client that fell behind its schedule stops with the window too, not when its schedule does
            if (begin >= end || (rate > 0 && System.nanoTime() >= end)) {
              break loop;
            }
            if (rate > 0) {
              sleepUntil(begin);
              if (begin >= start && System.nanoTime() - begin > LATE_NANOS) {
                late++;
              }
            }
            String text = switch (c) {
              case POST -> "post " + me.token + " bench post " + (++seq);
              case SEND -> "send " + me.token + " " + pair.b.name + " bench " + begin;
              case SEND_GROUP -> "send-group " + me.token + " " + pair.group + " bench " + begin;
              case LOGIN -> "login " + me.name + " " + password;
              default -> c.word + " " + me.token;
            };
            boolean measured = begin >= start;
            if (measured && (c == Cmd.POST || c == Cmd.SEND || c == Cmd.SEND_GROUP)) {
              pair.writes.incrementAndGet();
            }
            JsonObject reply;
            try {
              reply = t.request(c == Cmd.LOGIN ? loginServer : me.server, text);
            } catch (IOException e) {
              if (measured) {
                ioErrors.merge(c, 1L, Long::sum);
                errorKinds.merge(c.word + ": " + e.getClass().getSimpleName() + ": " + e.getMessage(), 1L, Long::sum);
                lastEnd = System.nanoTime();
              }
              sleep(10); // a failing service must not turn this loop into a busy spin
              continue;
            }
            long now = System.nanoTime();
            if (!measured) {
              continue;
            }
            lastEnd = now;
            latency.get(c).add(now - begin);
            if (reply.getInteger("status", 1) != 0) {
              // nothing in the mix is expected to fail
              errors.merge(c, 1L, Long::sum);
              errorKinds.merge(c.word + ": " + reply.getString("message", reply.encode()), 1L, Long::sum);
            } else if (c == Cmd.SEND) {
              sendOk++;
            } else if (c == Cmd.SEND_GROUP) {
              sendGroupOk++;
            }
          }
        }
      } finally {
        finished = true;
      }
    }

    private static void sleep(long millis) {
      try {
        Thread.sleep(millis);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** Open loop: a command issued later than this after it was due counts as late. */
  static final long LATE_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

  /**
   * Open loop: when command {@code k} of client {@code c} of {@code n} is due, for {@code rate}
   * commands a second in all from {@code origin}. The clients take turns, so the commands of all of
   * them are evenly spaced, 1/rate apart.
   */
  static long due(long origin, int c, int n, double rate, long k) {
    return origin + Math.round((k * (double) n + c) * 1e9 / rate);
  }

  /** The merged result of all client threads. */
  static final class Load extends Tally {
    double elapsedSeconds;
    int stuck;
    /** CPU clock ticks of the service's process tree over the measured window; -1 when unknown. */
    long serverTicks = -1;
  }

  /** The users of client {@code w} of {@code n}: pairs w, w + n, w + 2n, ...; a shared one when there are fewer. */
  static List<Integer> assigned(int w, int n, int pairs) {
    List<Integer> mine = new ArrayList<>();
    for (int i = w; i < pairs; i += n) {
      mine.add(i);
    }
    if (mine.isEmpty()) {
      mine.add(w % pairs);
    }
    return mine;
  }

  private Load load(List<Pair> pairs) {
    long t0 = System.nanoTime();
    long start = t0 + TimeUnit.SECONDS.toNanos(warmup);
    long end = start + TimeUnit.SECONDS.toNanos(seconds);
    measureStart = start;
    measureEnd = end;
    List<Worker> workers = new ArrayList<>();
    List<Thread> threads = new ArrayList<>();
    for (int k = 0; k < clients; k++) {
      List<Pair> mine = new ArrayList<>();
      for (int i : assigned(k, clients, pairs.size())) {
        mine.add(pairs.get(i));
      }
      Worker w = new Worker(mine, mix.commands, loginServer, password(), mode, transportTls, start, end);
      if (rate != null) {
        w.openLoop(t0, k, clients, rate);
      }
      Thread th = new Thread(w, "bench-client-" + k);
      th.setDaemon(true);
      workers.add(w);
      threads.add(th);
    }
    threads.forEach(Thread::start);
    ProcCpu cpu = ProcCpu.system();
    long ticksAtStart = -1;
    long ticksAtEnd = -1;
    if (serverPid != null) {
      sleepUntil(start);
      ticksAtStart = cpu.ticks(serverPid);
      sleepUntil(end);
      ticksAtEnd = cpu.ticks(serverPid);
    }
    // a request is bounded by the connect and read timeouts, so every thread ends soon after `end`
    long joinBy = end + TimeUnit.MILLISECONDS.toNanos(Transport.CONNECT_TIMEOUT_MILLIS + Transport.READ_TIMEOUT_MILLIS + 5_000);
    for (Thread th : threads) {
      long left = joinBy - System.nanoTime();
      try {
        if (left > 0) {
          th.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    Load load = new Load();
    if (ticksAtStart >= 0 && ticksAtEnd >= 0) {
      load.serverTicks = ticksAtEnd - ticksAtStart;
    }
    long lastEnd = end;
    for (Worker w : workers) {
      if (!w.finished) {
        load.stuck++;
        continue;
      }
      load.add(w);
      lastEnd = Math.max(lastEnd, w.lastEnd);
    }
    load.elapsedSeconds = (lastEnd - start) / 1e9;
    return load;
  }

  /** Waits until {@code nanoTime} (parking: {@code Thread.sleep} would round up to the next millisecond). */
  private static void sleepUntil(long nanoTime) {
    long left;
    while ((left = nanoTime - System.nanoTime()) > 0) {
      if (Thread.currentThread().isInterrupted()) {
        return;
      }
      java.util.concurrent.locks.LockSupport.parkNanos(left);
    }
  }

  // ---------------------------------------------------------------------------------------
  // report

  private void report(Load load, List<Pair> pairs, double setupSeconds, long expectedDirect, long expectedGroup) {
    out.println("== chat bench ==");
    out.println("configuration");
    out.printf("  target       %s:%d%s%n", host, port, noAppServer
        ? " (its login replies name no application server: every command goes to this address)" : "");
    out.printf("  mode         %s%n", mode == Transport.Mode.reference
        ? "reference (one connection per request, no terminator, no half-close, reply read until close)"
        : "persistent (newline-terminated requests on kept-open connections, one reply line each)");
    out.printf("  tls          %s%n", transportTls.enabled() ? "on" + (ca == null ? "" : ", verified against " + ca) : "off");
    out.printf("  mix          %s: %s (each client repeats it, each round as the next of its users)%n", mix, mixText());
    out.printf("  clients      %d%n", clients);
    out.printf("  load         %s%n", rate == null
        ? "closed loop (each client sends its next command once the last is answered)"
        : String.format("open loop, %d commands/s in all on a fixed schedule (latencies from the scheduled moment)", rate));
    out.printf("  users        %s%n", population());
    out.printf("  warmup       %d s (excluded)%n", warmup);
    out.printf("  seconds      %d s measured%n", seconds);
    out.printf("  prefix       %s%n", prefix);
    out.printf("  command line --host %s --port %d --mix %s --clients %d --users %d --seconds %d --warmup %d --prefix %s --mode %s --drain %d%s%s%s%s%n",
        host, port, mix, clients, userCount(), seconds, warmup, prefix, mode, drainSeconds,
        rate == null ? "" : " --rate " + rate, groupSize == 2 ? "" : " --group-size " + groupSize,
        serverPid == null ? "" : " --server-pid " + serverPid,
        transportTls.enabled() ? " --tls" + (ca == null ? "" : " --ca " + ca) : "");
    out.printf("setup          %.1f s%n", setupSeconds);
    out.println();

    long total = 0;
    long totalErrors = 0;
    long totalIo = 0;
    Samples all = new Samples();
    for (Cmd c : mix.commands) {
      total += load.latency.get(c).size() + load.ioErrors.get(c);
      totalErrors += load.errors.get(c);
      totalIo += load.ioErrors.get(c);
      all.addAll(load.latency.get(c));
    }
    out.println("commands");
    out.printf("  total        %d%n", total);
    out.printf("  elapsed      %.2f s%n", load.elapsedSeconds);
    out.printf("  throughput   %.1f req/s%n", total / load.elapsedSeconds);
    out.printf("  errors       %d (%d replies with status != 0, %d i/o)%n", totalErrors + totalIo, totalErrors, totalIo);
    if (rate != null) {
      out.printf("  schedule     %d of %d commands issued more than %d ms after they were due%s%n", load.late, total,
          TimeUnit.NANOSECONDS.toMillis(LATE_NANOS), load.late > total / 100 ? " -- the clients could not keep the rate:"
              + " give more --clients, or the service is saturated" : "");
    }
    long maxWrites = 0;
    for (Pair p : pairs) {
      maxWrites = Math.max(maxWrites, p.writes.get());
    }
    if (maxWrites > 0) {
      double perUser = maxWrites / load.elapsedSeconds;
      out.printf("  writes/user  at most %.1f/s for one user (the service's default limit: %d/s, burst 200)%s%n",
          perUser, DEFAULT_WRITES_PER_SECOND, perUser > 0.8 * DEFAULT_WRITES_PER_SECOND
              ? " -- near the limit: give more --users" : "");
    }
    if (serverPid != null) {
      long hz = ProcCpu.clockTicksPerSecond();
      double us = ProcCpu.microsPerCommand(load.serverTicks, hz, total);
      out.printf("  server cpu   %s%n", us < 0
          ? "unknown (process " + serverPid + " not readable in /proc)"
          : String.format("%.0f us per command (%d ticks at %d/s of pid %d and its descendants over %d commands;"
              + " %.2f cores)", us, load.serverTicks, hz, serverPid, total,
              load.serverTicks / (double) hz / seconds));
    }
    if (load.stuck > 0) {
      out.printf("  stuck        %d client threads did not finish; their counts are left out%n", load.stuck);
    }
    out.println();
    String row = "  %-13s %9s %7s %7s %9s %9s %9s %9s%n";
    out.printf(row, "command", "count", "errors", "io-err", "p50 ms", "p99 ms", "p99.9 ms", "max ms");
    for (Cmd c : mix.commands) {
      line(row, c.word, load.latency.get(c), load.errors.get(c), load.ioErrors.get(c));
    }
    line(row, "all", all, totalErrors, totalIo);
    double cpuUs = serverPid == null ? -1
        : ProcCpu.microsPerCommand(load.serverTicks, ProcCpu.clockTicksPerSecond(), total);
    resultLine = result(total / load.elapsedSeconds, all.sorted(), totalErrors + totalIo, load.stuck, cpuUs);
    if (!load.errorKinds.isEmpty()) {
      out.println("  errors by kind (first 10):");
      load.errorKinds.entrySet().stream().limit(10)
          .forEach(e -> out.printf("    %6d  %s%n", e.getValue(), SafeText.line(e.getKey())));
    }
    out.println();

    if (!mix.commands.contains(Cmd.SEND) && !mix.commands.contains(Cmd.SEND_GROUP)) {
      out.flush();
      return;
    }
    if (noBroker) {
      out.println("deliveries     not timed: the login replies name no broker (the 2018 reference delivers over STOMP)");
      out.println();
      out.flush();
      return;
    }
    out.println("deliveries (send to receipt over AMQP)");
    String drow = "  %-8s %9s %9s %9s %9s %9s %9s%n";
    out.printf(drow, "kind", "received", "expected", "p50 ms", "p99 ms", "p99.9 ms", "max ms");
    delivery(drow, "direct", directLatency, expectedDirect);
    delivery(drow, "group", groupLatency, expectedGroup);
    out.printf("  (direct: one per successful send; group: %d per successful send-group, sender included;"
        + " waited up to %d s after the load)%n", groupSize, drainSeconds);
    if (deliveriesOutside.get() > 0 || deliveriesUnreadable.get() > 0) {
      out.printf("  outside the window (warm-up/late sends): %d, unreadable: %d%n",
          deliveriesOutside.get(), deliveriesUnreadable.get());
    }
    out.flush();
  }

  private void line(String row, String name, Samples s, long errors, long io) {
    long[] sorted = s.sorted();
    out.printf(row, name, sorted.length + io, errors, io,
        Samples.millis(Samples.percentile(sorted, 50)), Samples.millis(Samples.percentile(sorted, 99)),
        Samples.millis(Samples.percentile(sorted, 99.9)), Samples.millis(sorted.length == 0 ? -1 : sorted[sorted.length - 1]));
  }

  private void delivery(String row, String kind, Samples s, long expected) {
    long[] sorted;
    synchronized (s) {
      sorted = s.sorted();
    }
    out.printf(row, kind, sorted.length, expected,
        Samples.millis(Samples.percentile(sorted, 50)), Samples.millis(Samples.percentile(sorted, 99)),
        Samples.millis(Samples.percentile(sorted, 99.9)), Samples.millis(sorted.length == 0 ? -1 : sorted[sorted.length - 1]));
  }

  private String mixText() {
    List<String> words = new ArrayList<>();
    for (Cmd c : mix.commands) {
      words.add(c.word);
    }
    return String.join(", ", words);
  }

  // ---------------------------------------------------------------------------------------
  // cleanup

  /** Deletes every bench user that was registered (logging in first where setup did not). */
  private void cleanup(List<Pair> pairs) {
    List<User> users = new ArrayList<>();
    for (Pair p : pairs) {
      if (p.a.registered) {
        users.add(p.a);
      }
      if (p.b != null && p.b.registered) {
        users.add(p.b);
      }
      for (User u : p.others) {
        if (u.registered) {
          users.add(u);
        }
      }
    }
    if (users.isEmpty()) {
      return;
    }
    AtomicInteger deleted = new AtomicInteger();
    ExecutorService pool = Executors.newFixedThreadPool(Math.min(SETUP_THREADS, users.size()), daemon("bench-cleanup"));
    try {
      List<Callable<Void>> tasks = new ArrayList<>();
      for (User u : users) {
        tasks.add(() -> {
          try (Transport t = Transport.create(mode, transportTls)) {
            String token = u.token;
            if (token == null) {
              JsonObject r = t.request(loginServer, "login " + u.name + " " + password());
              token = r.getString("token");
            }
            if (token != null) {
              JsonObject r = t.request(loginServer, "delete " + token);
              if (r.getInteger("status", 1) == 0) {
                deleted.incrementAndGet();
              } else {
                err.println("bench: delete " + u.name + ": " + r.getString("message", r.encode()));
              }
            }
          } catch (IOException e) {
            err.println("bench: delete " + u.name + ": " + e);
          }
          return null;
        });
      }
      pool.invokeAll(tasks, 60, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      pool.shutdownNow();
    }
    out.printf("cleanup        deleted %d/%d bench users%s%n", deleted.get(), users.size(),
        mix.paired ? " (their " + pairs.size() + " groups stay, as groups do)" : "");
    out.flush();
  }

  private static java.util.concurrent.ThreadFactory daemon(String name) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, name + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }
}
