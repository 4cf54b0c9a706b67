package chat;

import chat.config.ChatConfig;
import chat.config.CommandLineSpec;
import chat.fleet.SsmSecretStore;
import chat.ops.Metrics;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.bridge.SLF4JBridgeHandler;

import java.net.URI;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** {@code java -jar chat.jar [--role=login|app] --host IP --port PORT [options]}. */
public final class Main implements Callable<Integer> {
  private static final Logger LOG = LoggerFactory.getLogger(Main.class);

  /** Names the SSM parameter that holds this process's secrets (how EC2 instances get theirs). */
  public static final String SECRETS_PARAMETER_ENV = "CHAT_SECRETS_PARAMETER";
  /** SSM endpoint to read that parameter from; unset means the region's own. */
  public static final String SSM_ENDPOINT_ENV = "CHAT_SSM_ENDPOINT";

  static final CommandLineSpec COMMAND_LINE = new CommandLineSpec("chat", "",
      "Chat and social service. With no role, the whole service runs in one process.")
      .option("role", "ROLE", "all (default), login, app, or broker (one broker of a pair, alone)")
      .option("host", "IP", "address to listen on")
      .option("port", "PORT", "port of the login server (or of the app server with --role=app)")
      .option("config", "FILE", "JSON configuration file (default: config/chat.json when present)")
      .option("data-dir", "DIR", "where the store and broker keep their files")
      .option("broker-url", "URL", "AMQP URL of an external broker, e.g. amqp://10.0.0.5:5672, "
          + "or the URLs of a pair separated by commas, tried in turn")
      .option("store-url", "URL", "JDBC URL of the store")
      .option("instance-id", "ID", "fleet id of this application instance")
      .option("capacity", "USERS", "distinct users one application server serves")
      .option("advertise-host", "HOST", "address under which this instance is reached")
      .option("admin-port", "PORT", "port of the login role's admin HTTP endpoint (/fleet, /metrics, /health)")
      .option("provider", "NAME", "how application instances start: local, ec2 or inprocess")
      .flag("tls", "serve the client port and every application server over TLS")
      .option("tls-cert", "FILE", "PEM certificate to serve (implies --tls; default: one made in DATA_DIR/tls)")
      .option("tls-key", "FILE", "PEM private key of --tls-cert")
      .repeatable("set", "KEY=VALUE", "any setting by dotted key, e.g. --set fleet.graceSeconds=5");

  ChatServer.Role role = ChatServer.Role.ALL;
  String host;
  Integer port;
  Path config;
  String dataDir;
  String brokerUrl;
  String storeUrl;
  String instanceId;
  Integer capacity;
  String advertiseHost;
  Integer adminPort;
  String provider;
  boolean tls;
  Path tlsCert;
  Path tlsKey;
  Map<String, String> settings = new LinkedHashMap<>();

  /** The flags of a command line ({@link #COMMAND_LINE}). */
  public static Main of(CommandLineSpec.Args args) throws CommandLineSpec.UsageException {
    Main m = new Main();
    m.role = args.choice("role", ChatServer.Role.class, m.role);
    m.host = args.string("host", null);
    m.port = args.integer("port", null);
    m.config = args.path("config");
    m.dataDir = args.string("data-dir", null);
    m.brokerUrl = args.string("broker-url", null);
    m.storeUrl = args.string("store-url", null);
    m.instanceId = args.string("instance-id", null);
    m.capacity = args.integer("capacity", null);
    m.advertiseHost = args.string("advertise-host", null);
    m.adminPort = args.integer("admin-port", null);
    m.provider = args.string("provider", null);
    m.tls = args.has("tls");
    m.tlsCert = args.path("tls-cert");
    m.tlsKey = args.path("tls-key");
    m.settings = args.keyValues("set");
    return m;
  }

  /** The flags of {@code args}, or why they cannot be read. */
  public static Main parse(String... args) throws CommandLineSpec.UsageException {
    return of(COMMAND_LINE.parse(args));
  }

  public static void main(String[] args) {
    withoutIdleRecorderEvents();
    SLF4JBridgeHandler.removeHandlersForRootLogger();
    SLF4JBridgeHandler.install();
    System.exit(COMMAND_LINE.run(args, System.out, System.err, parsed -> of(parsed).call()));
  }

  @Override
  public Integer call() throws Exception {
    // a Vert.x whose options the configuration does not size reads the configuration itself:
    // one Vert.x fewer to start on the way to accepting connections
    Vertx early = sizedByConfiguration(role) ? null : Metrics.vertx(baseVertxOptions());
    ChatConfig cfg;
    try {
      cfg = ChatConfig.loadFromProcess(config, parameterSecrets(System.getenv()), overrides(), early);
    } catch (RuntimeException e) {
      // the message names the parameter, the file, the variable or the flag, never a value
      LOG.error("start failed: {}", e.getMessage());
      if (early != null) {
        early.close().await(30, TimeUnit.SECONDS);
      }
      return 1;
    }
    Vertx vertx = early != null ? early : Metrics.vertx(vertxOptions(cfg, role), role != ChatServer.Role.APP);
    if (!vertx.isNativeTransportEnabled()) {
      Throwable why = vertx.unavailableNativeTransportCause();
      LOG.info("native transport unavailable ({}); connections use Java NIO",
          why == null ? "not found" : why.getMessage());
    }
    ChatServer server;
    try {
      server = ChatServer.start(vertx, cfg, role).await(180, TimeUnit.SECONDS);
    } catch (Exception e) {
      LOG.error("start failed: {}", e.toString(), e);
      vertx.close().await(30, TimeUnit.SECONDS);
      return 1;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      LOG.info("stopping");
      try {
        server.close().await(30, TimeUnit.SECONDS);
        vertx.close().await(30, TimeUnit.SECONDS);
      } catch (Exception e) {
        LOG.warn("stop was not clean: {}", e.toString());
      }
      stopped.countDown();
    }, "chat-shutdown"));
    LOG.info("ready");
    stopped.await();
    return 0;
  }

  /** Netty's switch for its flight-recorder events. */
  static final String NETTY_RECORDER_EVENTS = "io.netty.jfr.enabled";

  /**
   * Netty's buffer allocators describe their allocations as flight-recorder events, and the
   * first allocation registers them: that sets up the recorder's metadata even in a JVM that
   * records nothing, 0.1-0.15 s of CPU on the way to accepting connections (docs/PERFORMANCE.md,
   * "Eighth round"). Every entry point calls this first: the events stay on in a JVM started
   * with a recording ({@code -XX:StartFlightRecording}), or when {@code -Dio.netty.jfr.enabled}
   * says so; a recording started later ({@code jcmd JFR.start}) has every event but Netty's.
   */
  public static void withoutIdleRecorderEvents() {
    if (!nettyRecorderEvents(System.getProperty(NETTY_RECORDER_EVENTS), jdk.jfr.FlightRecorder.isInitialized())) {
      System.setProperty(NETTY_RECORDER_EVENTS, "false");
    }
  }

  /** Whether Netty may register its recorder events: as it is told, else when the JVM records from its start. */
  static boolean nettyRecorderEvents(String told, boolean recording) {
    return told != null ? !"false".equalsIgnoreCase(told.trim()) : recording;
  }

  /** What every Vert.x of the service starts from, the bare baseline's too (chat.bench.BareServer). */
  public static VertxOptions baseVertxOptions() {
    return new VertxOptions().setBlockedThreadCheckInterval(5_000).setPreferNativeTransport(true);
  }

  /**
   * Every role uses the native transport (epoll, which the jar carries for Linux on x86-64)
   * where it loads, and Java NIO elsewhere: fewer system calls and wake-ups per connection,
   * which with a connection per request is most of a command's cost (docs/PERFORMANCE.md,
   * "Sixth round"). An application instance serves a few users ({@code fleet.capacity}): its
   * event loops and worker threads are {@code app.eventLoopThreads} and
   * {@code app.workerThreads} (0: Vert.x's defaults, twice the cores and 20), which keeps each
   * instance JVM small. The login role keeps Vert.x's defaults.
   */
  public static VertxOptions vertxOptions(ChatConfig cfg, ChatServer.Role role) {
    VertxOptions options = baseVertxOptions();
    if (sizedByConfiguration(role)) {
      int eventLoops = cfg.app().getInteger("eventLoopThreads", 0);
      int workers = cfg.app().getInteger("workerThreads", 0);
      if (eventLoops > 0) {
        options.setEventLoopPoolSize(eventLoops);
      }
      if (workers > 0) {
        options.setWorkerPoolSize(workers);
      }
    }
    return options;
  }

  /** Whether the Vert.x options of {@code role} depend on the configuration ({@link #vertxOptions}). */
  static boolean sizedByConfiguration(ChatServer.Role role) {
    return role == ChatServer.Role.APP;
  }

  /**
   * The entries of the {@value #SECRETS_PARAMETER_ENV} parameter the environment names, or none:
   * variables that reach the configuration over those of the environment
   * ({@link ChatConfig#loadFromProcess}).
   *
   * @throws IllegalStateException when the parameter is named but cannot be read
   */
  public static Map<String, String> parameterSecrets(Map<String, String> env) {
    String name = env.getOrDefault(SECRETS_PARAMETER_ENV, "").trim();
    if (name.isEmpty()) {
      return Map.of();
    }
    String endpoint = env.getOrDefault(SSM_ENDPOINT_ENV, "").trim();
    Map<String, String> secrets;
    try (SsmSecretStore store = new SsmSecretStore(null, endpoint.isEmpty() ? null : URI.create(endpoint))) {
      secrets = store.get(name);
    } catch (IllegalStateException e) {
      throw e;
    } catch (RuntimeException e) {
      throw new IllegalStateException("cannot read the secrets parameter " + name + ": " + e.getMessage(), e);
    }
    LOG.info("secrets {} read from parameter {}", secrets.keySet(), name);
    return secrets;
  }

  /** The settings the parsed flags give, by dotted key. */
  public Map<String, String> overrides() {
    Map<String, String> o = new LinkedHashMap<>();
    put(o, "host", host);
    put(o, "port", port);
    put(o, "dataDir", dataDir);
    put(o, "broker.url", brokerUrl);
    put(o, "store.url", storeUrl);
    put(o, "app.instanceId", instanceId);
    put(o, "fleet.capacity", capacity);
    put(o, "app.advertiseHost", advertiseHost);
    put(o, "admin.port", adminPort);
    put(o, "fleet.provider", provider);
    if (tls || tlsCert != null || tlsKey != null) {
      o.put("tls.enabled", "true");
    }
    put(o, "tls.cert", tlsCert == null ? null : tlsCert.toAbsolutePath());
    put(o, "tls.key", tlsKey == null ? null : tlsKey.toAbsolutePath());
    o.putAll(settings);
    return o;
  }

  private static void put(Map<String, String> o, String key, Object value) {
    if (value != null) {
      o.put(key, String.valueOf(value));
    }
  }
}
