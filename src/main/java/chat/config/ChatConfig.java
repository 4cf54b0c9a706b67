package chat.config;

import chat.login.Backoff;
import chat.login.LoginGuard;
import chat.login.Passwords;
import chat.login.RateLimit;
import chat.messaging.BrokerOptions;
import chat.messaging.BrokerPair;
import chat.protocol.Limits;
import chat.store.StoreOptions;
import chat.wire.WireOptions;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Settings in layers, each overriding the one before: the defaults inside the jar, a JSON
 * file ({@code config/chat.json} when present, or {@code --config}), environment variables
 * {@code CHAT_*}, then flags. Every setting has a safe default.
 */
public final class ChatConfig {
  /** Environment variables and the setting each one overrides. */
  private static final Map<String, String> ENV = Map.ofEntries(
      Map.entry("CHAT_DATA_DIR", "dataDir"),
      Map.entry("CHAT_BROKER_URL", "broker.url"),
      Map.entry("CHAT_BROKER_USER", "broker.user"),
      Map.entry("CHAT_BROKER_PASSWORD", "broker.password"),
      Map.entry("CHAT_BROKER_APP_USER", "broker.appUser"),
      Map.entry("CHAT_BROKER_APP_PASSWORD", "broker.appPassword"),
      Map.entry("CHAT_BROKER_CLUSTER_PASSWORD", "broker.clusterPassword"),
      Map.entry("CHAT_STORE_URL", "store.url"),
      Map.entry("CHAT_STORE_USER", "store.user"),
      Map.entry("CHAT_STORE_PASSWORD", "store.password"),
      Map.entry("CHAT_STORE_APP_USER", "store.appUser"),
      Map.entry("CHAT_STORE_APP_PASSWORD", "store.appPassword"),
      Map.entry("CHAT_INSTANCE_SECRET", "app.instanceSecret"),
      Map.entry("CHAT_ADMIN_TOKEN", "admin.token"),
      Map.entry("CHAT_PROVIDER", "fleet.provider"),
      Map.entry("CHAT_CAPACITY", "fleet.capacity"),
      Map.entry("CHAT_TOKEN_SECRET", "tokens.secret"),
      Map.entry("CHAT_FLEET_KEY", "fleet.key"));

  /** Settings that are secrets: never logged. */
  private static final List<String> SECRET_KEYS = List.of("store.password", "store.appPassword", "broker.password",
      "broker.appPassword", "broker.clusterPassword", "app.instanceSecret", "admin.token", "tokens.secret", "fleet.key");

  /**
   * The whole {@code limits} section as JSON: how the login role hands its limits to the
   * application instances it starts as child processes.
   */
  public static final String LIMITS_ENV = "CHAT_LIMITS";

  private final JsonObject json;

  public ChatConfig(JsonObject json) {
    this.json = json;
  }

  public static ChatConfig load(Path file, Map<String, String> env, Map<String, String> overrides) throws IOException {
    JsonObject json = defaults();
    Path chosen = file != null ? file : Path.of("config", "chat.json");
    if (file != null || Files.isRegularFile(chosen)) {
      json.mergeIn(new JsonObject(Files.readString(chosen)), true);
    }
    ENV.forEach((name, key) -> {
      String value = env.get(name);
      if (value != null && !value.isEmpty()) {
        set(json, key, value);
      }
    });
    String limits = env.get(LIMITS_ENV);
    if (limits != null && !limits.isEmpty()) {
      json.getJsonObject("limits").mergeIn(new JsonObject(limits));
    }
    overrides.forEach((key, value) -> set(json, key, value));
    return new ChatConfig(json);
  }

  public static JsonObject defaults() throws IOException {
    try (InputStream in = ChatConfig.class.getResourceAsStream("/chat/defaults.json")) {
      return new JsonObject(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    }
  }

  /** Sets a dotted key; numbers and booleans given as text keep the type of the default. */
  public static void set(JsonObject json, String dottedKey, String value) {
    String[] parts = dottedKey.split("\\.");
    JsonObject node = json;
    for (int i = 0; i < parts.length - 1; i++) {
      JsonObject child = node.getJsonObject(parts[i]);
      if (child == null) {
        child = new JsonObject();
        node.put(parts[i], child);
      }
      node = child;
    }
    String leaf = parts[parts.length - 1];
    Object old = node.getValue(leaf);
    if (old instanceof Number) {
      String number = value.trim();
      // a fraction where the default is one (fleet.load.targetCpu=0.5), a whole number elsewhere
      node.put(leaf, old instanceof Double || old instanceof Float || number.contains(".")
          ? (Object) Double.parseDouble(number) : (Object) Long.parseLong(number));
    } else if (old instanceof Boolean) {
      node.put(leaf, Boolean.parseBoolean(value.trim()));
    } else {
      node.put(leaf, value);
    }
  }

  /**
   * Port 0 for the broker or the store means any free port: chosen here, once, because
   * instances and clients are told these ports and the broker cannot report an ephemeral one.
   * The port is taken from below the kernel's ephemeral range: between this choice and the
   * listener's bind, an outgoing connection of this machine could take an ephemeral port,
   * never one of these.
   */
  public ChatConfig withFreePorts() throws IOException {
    for (String key : new String[] {"broker.amqpPort", "broker.stompPort", "broker.clusterPort", "store.port"}) {
      String[] parts = key.split("\\.");
      JsonObject node = json.getJsonObject(parts[0]);
      if (node.getInteger(parts[1], 0) == 0) {
        node.put(parts[1], freePortBelowEphemeral());
      }
    }
    return this;
  }

  /** Lowest port of the kernel's ephemeral range: 32768 when the kernel does not say. */
  private static int ephemeralLow() {
    try {
      // read by lines: Files.readString takes a /proc file's size (0) at its word
      String range = java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/sys/net/ipv4/ip_local_port_range"))
          .get(0);
      int low = Integer.parseInt(range.trim().split("\\s+")[0]);
      return low > 2048 ? low : 32768;
    } catch (IOException | RuntimeException e) {
      return 32768;
    }
  }

  private static int freePortBelowEphemeral() throws IOException {
    int high = ephemeralLow();
    int low = Math.min(10_000, high / 2);
    java.util.Random random = new java.util.Random();
    for (int attempt = 0; attempt < 100; attempt++) {
      int port = low + random.nextInt(high - low);
      try (java.net.ServerSocket s = new java.net.ServerSocket(port, 1, java.net.InetAddress.getLoopbackAddress())) {
        return s.getLocalPort();
      } catch (IOException taken) {
        // in use: another
      }
    }
    try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  public JsonObject json() {
    return json;
  }

  /** The configuration as logged at start-up: passwords and secrets masked. */
  public String masked() {
    JsonObject copy = json.copy();
    for (String key : SECRET_KEYS) {
      String[] parts = key.split("\\.");
      JsonObject node = copy.getJsonObject(parts[0]);
      if (node != null && node.getValue(parts[1]) != null && !node.getString(parts[1]).isEmpty()) {
        node.put(parts[1], "****");
      }
    }
    for (String section : new String[] {"store", "broker"}) {
      String url = copy.getJsonObject(section).getString("url", "");
      copy.getJsonObject(section).put("url", Secrets.maskUrl(url));
    }
    return copy.encode();
  }

  public String host() {
    return json.getString("host");
  }

  public int port() {
    return json.getInteger("port");
  }

  public Path dataDir() {
    return Path.of(json.getString("dataDir"));
  }

  public JsonObject admin() {
    return json.getJsonObject("admin");
  }

  public int adminPort() {
    return admin().getInteger("port", 0);
  }

  public JsonObject store() {
    return json.getJsonObject("store");
  }

  public JsonObject app() {
    return json.getJsonObject("app");
  }

  public JsonObject fleet() {
    return json.getJsonObject("fleet");
  }

  public Limits limits() {
    return Limits.fromJson(json.getJsonObject("limits", new JsonObject()));
  }

  public JsonObject passwords() {
    return json.getJsonObject("passwords");
  }

  /** The Argon2id costs of new password hashes. */
  public Passwords.Options passwordOptions() {
    JsonObject p = passwords();
    return new Passwords.Options(p.getInteger("memoryKiB"), p.getInteger("iterations"), p.getInteger("parallelism"));
  }

  /** The failed-login back-off and the registration limit. */
  public LoginGuard.Options loginGuardOptions() {
    JsonObject l = json.getJsonObject("login");
    int tracked = l.getInteger("maxTracked");
    long first = l.getLong("firstDelayMillis");
    long forget = l.getLong("forgetMinutes") * 60_000;
    return new LoginGuard.Options(
        new Backoff.Options(l.getInteger("accountFreeFailures"), first, l.getLong("accountMaxDelaySeconds") * 1000,
            forget, tracked),
        new Backoff.Options(l.getInteger("sourceFreeFailures"), first, l.getLong("sourceMaxDelaySeconds") * 1000,
            forget, tracked),
        new RateLimit.Options(l.getInteger("registerBurst"), l.getInteger("registerPerMinute"), tracked));
  }

  public JsonObject tokens() {
    return json.getJsonObject("tokens");
  }

  /** Where the login role's HSQLDB server keeps its files. */
  public Path databasePath() {
    return dataDir().toAbsolutePath().resolve("db").resolve("chat");
  }

  /** The URL the login role itself uses: in-process when it serves the store, else the configured one. */
  public String localStoreUrl() {
    String url = store().getString("url", "");
    if (!url.isEmpty()) {
      return url;
    }
    return "jdbc:hsqldb:file:" + databasePath() + ";" + databaseProperties(store().getInteger("writeDelayMillis"));
  }

  /**
   * Properties of the HSQLDB file database. A write delay of 0 syncs the log at every commit,
   * so a crash of the process that holds the store loses no committed change. Tables are
   * CACHED (kept in the data file, not whole in the heap); properties apply when the database
   * is created, and a schema migration turns an older database's tables CACHED too.
   */
  public static String databaseProperties(int writeDelayMillis) {
    String delay = writeDelayMillis <= 0 ? "hsqldb.write_delay=false" : "hsqldb.write_delay_millis=" + writeDelayMillis;
    return "hsqldb.tx=mvcc;hsqldb.default_table_type=cached;" + delay;
  }

  /** The URL application instances in other processes use to reach the same store. */
  public String remoteStoreUrl(String reachableHost) {
    String url = store().getString("url", "");
    return url.isEmpty() ? "jdbc:hsqldb:hsql://" + reachableHost + ":" + store().getInteger("port") + "/chat" : url;
  }

  public StoreOptions storeOptions(String url) {
    return new StoreOptions(url, store().getString("user"), store().getString("password"), store().getInteger("poolSize"),
        store().getLong("retryMillis", StoreOptions.DEFAULT_RETRY_MILLIS));
  }

  public BrokerOptions brokerOptions() {
    return brokerOptions(TlsOptions.disabled());
  }

  /**
   * Where the broker is. With TLS on, the embedded broker listens with the service's pair and
   * is reached as {@code amqps://}; links to an {@code amqps://} broker trust the service's own
   * certificate when TLS is on here, else the default trust store.
   */
  public BrokerOptions brokerOptions(TlsOptions tls) {
    JsonObject b = broker();
    String url = b.getString("url", "");
    BrokerPair pair = brokerPair();
    // one of a pair is always embedded; its URL list names both brokers
    boolean embedded = pair.enabled() || (b.getBoolean("embedded", true) && url.isEmpty());
    if (pair.enabled() && BrokerOptions.urls(url).size() < 2) {
      throw new IllegalArgumentException("broker.ha=" + b.getString("ha") + " needs broker.url to list the AMQP URLs "
          + "of both brokers of the pair, in the same order on both, separated by commas");
    }
    String host = b.getString("host", "127.0.0.1");
    if (url.isEmpty()) {
      url = (tls.enabled() ? "amqps" : "amqp") + "://" + (host.contains(":") ? "[" + host + "]" : host) + ":"
          + b.getInteger("amqpPort");
    }
    return new BrokerOptions(url, embedded, host, b.getInteger("amqpPort"), b.getInteger("stompPort"),
        dataDir().toAbsolutePath().toString(), b.getString("user", ""), b.getString("password", ""),
        b.getBoolean("legacyClients", false), tls, pair);
  }

  /** The embedded broker's place in a replicated pair ({@code broker.ha}), or none. */
  public BrokerPair brokerPair() {
    JsonObject b = broker();
    BrokerPair.Role role = BrokerPair.Role.parse(b.getString("ha", "none"));
    if (role == BrokerPair.Role.NONE) {
      return BrokerPair.NONE;
    }
    return new BrokerPair(role, b.getString("clusterHost", "127.0.0.1"), b.getInteger("clusterPort", 61617),
        b.getString("peer", ""), b.getString("clusterUser", "chat-cluster"), b.getString("clusterPassword", ""),
        b.getString("networkCheck", ""));
  }

  public JsonObject broker() {
    return json.getJsonObject("broker");
  }

  /** The embedded store is served by this process: no store URL was given. */
  public boolean servesStore() {
    return store().getString("url", "").isEmpty();
  }

  /**
   * The secrets of the parts the login role serves itself (the store's administrator and
   * application users, the broker's service principals), generated once into the data
   * directory unless configured. Secrets of external parts come from configuration only.
   */
  public ChatConfig withServiceSecrets() throws IOException {
    if (servesStore()) {
      fill(store(), "password", "store-admin");
      fill(store(), "appPassword", "store-app");
    }
    if (brokerOptions().embedded()) {
      if (broker().getString("user", "").isEmpty()) {
        broker().put("user", "chat-login");
      }
      fill(broker(), "password", "broker-login");
      if (broker().getString("appUser", "").isEmpty()) {
        broker().put("appUser", "chat-app");
      }
      fill(broker(), "appPassword", "broker-app");
      if (brokerPair().enabled()) {
        fill(broker(), "clusterPassword", "broker-cluster");
      }
    }
    return this;
  }

  private void fill(JsonObject section, String key, String secretName) throws IOException {
    if (section.getString(key, "").isEmpty()) {
      section.put(key, Secrets.loadOrCreate(dataDir(), secretName));
    }
  }

  /**
   * The credentials application instances get (as environment variables, never on a command
   * line or in user-data): their own store and broker users where there are such, else the
   * login role's.
   */
  public Map<String, String> instanceCredentials() {
    Map<String, String> env = new java.util.LinkedHashMap<>();
    JsonObject s = store();
    boolean ownStoreUser = servesStore() || !s.getString("appPassword", "").isEmpty();
    env.put("CHAT_STORE_USER", ownStoreUser ? s.getString("appUser") : s.getString("user"));
    env.put("CHAT_STORE_PASSWORD", ownStoreUser ? s.getString("appPassword") : s.getString("password"));
    JsonObject b = broker();
    boolean ownBrokerUser = !b.getString("appUser", "").isEmpty();
    env.put("CHAT_BROKER_USER", ownBrokerUser ? b.getString("appUser") : b.getString("user", ""));
    env.put("CHAT_BROKER_PASSWORD", ownBrokerUser ? b.getString("appPassword", "") : b.getString("password", ""));
    env.values().removeIf(v -> v == null);
    return env;
  }

  public JsonObject tls() {
    return json.getJsonObject("tls", new JsonObject());
  }

  /**
   * TLS of this role's ports, resolved to files: the configured pair, or the one kept in the
   * data directory, made on first use for the names this service is reached by. Blocks.
   */
  public TlsOptions tlsOptions() throws IOException {
    List<String> names = new ArrayList<>(Certificates.defaultNames(host()));
    String advertise = fleet().getString("advertiseHost", "");
    if (!advertise.isEmpty()) {
      names.add(advertise);
    }
    return TlsOptions.resolve(tls(), dataDir(), names);
  }

  public WireOptions wireOptions() {
    JsonObject w = json.getJsonObject("wire");
    return new WireOptions(w.getInteger("maxRequestBytes"), w.getInteger("quietMillis"),
        w.getInteger("firstByteMillis"), w.getInteger("idleSeconds"), w.getInteger("maxPipelined"));
  }
}
