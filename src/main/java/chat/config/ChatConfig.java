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
import com.fasterxml.jackson.core.JsonProcessingException;
import io.vertx.config.ConfigRetriever;
import io.vertx.config.ConfigRetrieverOptions;
import io.vertx.config.ConfigStoreOptions;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.file.FileSystemException;
import io.vertx.core.file.FileSystemOptions;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Settings in layers, each overriding the one before, read by a vertx-config
 * {@link ConfigRetriever}: the defaults inside the jar, a JSON file ({@code config/chat.json}
 * when present, or {@code --config}), environment variables (one {@code CHAT_*} name for every
 * key, see {@link EnvSettings}), then flags. Every setting has a safe default.
 */
public final class ChatConfig {
  /** The file read when {@code --config} names none; left out when absent. */
  public static final Path DEFAULT_FILE = Path.of("config", "chat.json");

  /** Settings that are secrets: never logged. */
  private static final List<String> SECRET_KEYS = List.of("store.password", "store.appPassword", "broker.password",
      "broker.appPassword", "broker.clusterPassword", "app.instanceSecret", "admin.token", "tokens.secret", "fleet.key");

  /**
   * The whole {@code limits} section as JSON: how the login role hands its limits to the
   * application instances it starts as child processes.
   */
  public static final String LIMITS_ENV = "CHAT_LIMITS";

  private static final JsonObject DEFAULTS = readDefaults();

  private final JsonObject json;

  public ChatConfig(JsonObject json) {
    this.json = json;
  }

  /** The layers with the environment given as a map of variables (as a test or a tool has it). */
  public static ChatConfig load(Path file, Map<String, String> env, Map<String, String> flags) {
    return load(file, env, Map.of(), flags);
  }

  /** The layers of {@link #loadFromProcess}, with the environment given as a map of variables. */
  public static ChatConfig load(Path file, Map<String, String> env, Map<String, String> parameterEntries,
                                Map<String, String> flags) {
    return load(file, environment(EnvSettings.store(env), parameterEntries), flags);
  }

  /**
   * The layers with this process's environment, then the entries of a secrets parameter (they
   * win over variables of the same name: the parameter is what the fleet made for this very
   * instance).
   */
  public static ChatConfig loadFromProcess(Path file, Map<String, String> parameterEntries, Map<String, String> flags) {
    return loadFromProcess(file, parameterEntries, flags, null);
  }

  /**
   * {@link #loadFromProcess(Path, Map, Map)} read on {@code vertx}, the service's own when its
   * options do not depend on this configuration (it is left open), else, when null, on a small
   * Vert.x of its own.
   */
  public static ChatConfig loadFromProcess(Path file, Map<String, String> parameterEntries, Map<String, String> flags,
                                           Vertx vertx) {
    return load(file, DEFAULT_FILE, environment(EnvSettings.processStore(DEFAULTS), parameterEntries), flags, vertx);
  }

  /** The environment's stores: the variables, then a secrets parameter's entries when there are any. */
  private static List<ConfigStoreOptions> environment(ConfigStoreOptions variables, Map<String, String> parameterEntries) {
    List<ConfigStoreOptions> environment = new ArrayList<>();
    environment.add(variables);
    if (!parameterEntries.isEmpty()) {
      environment.add(EnvSettings.store(parameterEntries));
    }
    return environment;
  }

  /**
   * Reads the layers on a small Vert.x instance of its own (an application instance's is sized
   * by this configuration). Blocks.
   *
   * @throws IllegalArgumentException naming what is wrong (an unreadable or malformed file, a
   *     variable or flag of the wrong type), never quoting a value
   */
  static ChatConfig load(Path file, List<ConfigStoreOptions> environment, Map<String, String> flags) {
    return load(file, DEFAULT_FILE, environment, flags);
  }

  static ChatConfig load(Path file, Path defaultFile, List<ConfigStoreOptions> environment, Map<String, String> flags) {
    return load(file, defaultFile, environment, flags, null);
  }

  /** Reads the layers on {@code given}, or on a small Vert.x of its own when null. Blocks. */
  static ChatConfig load(Path file, Path defaultFile, List<ConfigStoreOptions> environment, Map<String, String> flags,
                         Vertx given) {
    Path chosen = file != null ? file : defaultFile;
    ConfigRetrieverOptions layers = layers(chosen, file != null, environment, flags);
    Vertx vertx = given != null ? given : Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1).setWorkerPoolSize(1)
        .setInternalBlockingPoolSize(1)
        .setFileSystemOptions(new FileSystemOptions().setClassPathResolvingEnabled(false).setFileCachingEnabled(false)));
    ConfigRetriever retriever = null;
    try {
      retriever = ConfigRetriever.create(vertx, layers);
      return new ChatConfig(retriever.getConfig().await(30, TimeUnit.SECONDS));
    } catch (TimeoutException e) {
      throw new IllegalStateException("the configuration was not read within 30 s");
    } catch (IllegalArgumentException e) {
      throw e;
    } catch (DecodeException e) {
      throw new IllegalArgumentException("configuration file " + chosen + " is not valid JSON" + where(e));
    } catch (FileSystemException e) {
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      throw new IllegalArgumentException("configuration file " + chosen + " cannot be read ("
          + (cause instanceof NoSuchFileException ? "no such file" : cause.getClass().getSimpleName()) + ")");
    } finally {
      if (given == null) {
        vertx.close();
      } else if (retriever != null) {
        retriever.close();
      }
    }
  }

  /**
   * The stores, in order: the defaults (a {@code json} store), the file (a {@code file} store),
   * the environment's stores, the flags (a {@code json} store). The default file is optional:
   * its store is there only when the file is; a file that is there, or named, must read and
   * parse (an optional vertx-config store would take a malformed file for an absent one).
   */
  static ConfigRetrieverOptions layers(Path file, boolean named, List<ConfigStoreOptions> environment,
      Map<String, String> flags) {
    ConfigRetrieverOptions options = new ConfigRetrieverOptions().setIncludeDefaultStores(false).setScanPeriod(0);
    options.addStore(new ConfigStoreOptions().setType("json").setConfig(defaults()));
    if (named || Files.isRegularFile(file)) {
      options.addStore(new ConfigStoreOptions().setType("file").setFormat("json")
          .setConfig(new JsonObject().put("path", file.toAbsolutePath().toString())));
    }
    environment.forEach(options::addStore);
    JsonObject settings = new JsonObject();
    flags.forEach((key, value) -> put(settings, key, typed(key, valueAt(DEFAULTS, key), value)));
    options.addStore(new ConfigStoreOptions().setType("json").setConfig(settings));
    return options;
  }

  /** Line and column of a JSON syntax error: the parser's message could quote the file. */
  private static String where(DecodeException e) {
    if (e.getCause() instanceof JsonProcessingException parse && parse.getLocation() != null) {
      return " (line " + parse.getLocation().getLineNr() + ", column " + parse.getLocation().getColumnNr() + ")";
    }
    return "";
  }

  /** The defaults inside the jar (a copy). */
  public static JsonObject defaults() {
    return DEFAULTS.copy();
  }

  private static JsonObject readDefaults() {
    try (InputStream in = ChatConfig.class.getResourceAsStream("/chat/defaults.json")) {
      return new JsonObject(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Sets a dotted key; text where the default is a number, a boolean or JSON keeps that type. */
  public static void set(JsonObject json, String dottedKey, String value) {
    put(json, dottedKey, typed(dottedKey, valueAt(json, dottedKey), value));
  }

  /** The value at a dotted key, or null. */
  static Object valueAt(JsonObject json, String dottedKey) {
    Object node = json;
    for (String part : dottedKey.split("\\.")) {
      if (!(node instanceof JsonObject object)) {
        return null;
      }
      node = object.getValue(part);
    }
    return node;
  }

  /** Puts a value at a dotted key, making the sections on the way; an object is merged into one already there. */
  static void put(JsonObject json, String dottedKey, Object value) {
    String[] parts = dottedKey.split("\\.");
    JsonObject node = json;
    for (int i = 0; i < parts.length - 1; i++) {
      Object child = node.getValue(parts[i]);
      if (!(child instanceof JsonObject)) {
        child = new JsonObject();
        node.put(parts[i], child);
      }
      node = (JsonObject) child;
    }
    String leaf = parts[parts.length - 1];
    if (value instanceof JsonObject object && node.getValue(leaf) instanceof JsonObject existing) {
      existing.mergeIn(object, true);
    } else {
      node.put(leaf, value);
    }
  }

  /**
   * A setting given as text ({@code source}: the flag's key or the variable) in the type of its
   * default: a number (a fraction where the default is one, or the text has a point), a
   * boolean, a JSON object (merged into the section), a JSON array when the text is one (else
   * the text, which such settings also take); text otherwise. An error names the source and
   * never the value.
   */
  static Object typed(String source, Object standard, String text) {
    String trimmed = text.trim();
    try {
      if (standard instanceof Number) {
        return standard instanceof Double || standard instanceof Float || trimmed.contains(".")
            ? (Object) Double.parseDouble(trimmed) : (Object) Long.parseLong(trimmed);
      } else if (standard instanceof Boolean) {
        return Boolean.parseBoolean(trimmed);
      } else if (standard instanceof JsonObject) {
        return new JsonObject(trimmed);
      } else if (standard instanceof JsonArray && trimmed.startsWith("[")) {
        return new JsonArray(trimmed);
      }
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(source + " must be a number");
    } catch (DecodeException | ClassCastException e) {
      throw new IllegalArgumentException(source + " must be a JSON " + (standard instanceof JsonObject ? "object" : "array"));
    }
    return text;
  }

  /**
   * Port 0 for the broker or the store means any free port: chosen here, once, because
   * instances and clients are told these ports and the broker cannot report an ephemeral one.
   * The port is taken from below the kernel's ephemeral range: between this choice and the
   * listener's bind, an outgoing connection of this machine could take an ephemeral port,
   * never one of these.
   */
  public ChatConfig withFreePorts() throws IOException {
    int high = ephemeralLow();
    int low = Math.min(10_000, high / 2);
    java.util.Random random = new java.util.Random();
    return withFreePorts(() -> low + random.nextInt(high - low));
  }

  /**
   * As {@link #withFreePorts()}, trying the ports {@code candidates} proposes. Each port is
   * free when tried and differs from every other port of this configuration: a probe's socket
   * is closed at once, so the same free port could otherwise be chosen twice (the broker and
   * the store then fail to start, one of them finding its port taken by the other).
   */
  ChatConfig withFreePorts(java.util.function.IntSupplier candidates) throws IOException {
    JsonObject broker = json.getJsonObject("broker");
    JsonObject store = json.getJsonObject("store");
    java.util.Map<String, JsonObject> free = new java.util.LinkedHashMap<>();
    free.put("amqpPort", broker);
    free.put("stompPort", broker);
    free.put("clusterPort", broker);
    free.put("port", store);
    java.util.Set<Integer> chosen = new java.util.HashSet<>();
    chosen.add(json.getInteger("port", 0));
    JsonObject admin = json.getJsonObject("admin");
    chosen.add(admin == null ? 0 : admin.getInteger("port", 0));
    free.forEach((key, node) -> chosen.add(node.getInteger(key, 0)));
    for (var f : free.entrySet()) {
      if (f.getValue().getInteger(f.getKey(), 0) == 0) {
        int port = freePort(candidates, chosen);
        chosen.add(port);
        f.getValue().put(f.getKey(), port);
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

  /** A port free now and not among {@code chosen}: one {@code candidates} proposes, else one the kernel gives. */
  private static int freePort(java.util.function.IntSupplier candidates, java.util.Set<Integer> chosen)
      throws IOException {
    for (int attempt = 0; attempt < 100; attempt++) {
      int port = candidates.getAsInt();
      if (chosen.contains(port)) {
        continue;
      }
      try (java.net.ServerSocket s = new java.net.ServerSocket(port, 1, java.net.InetAddress.getLoopbackAddress())) {
        return s.getLocalPort();
      } catch (IOException taken) {
        // in use: another
      }
    }
    while (true) {
      try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
        if (!chosen.contains(s.getLocalPort())) {
          return s.getLocalPort();
        }
      }
    }
  }

  public JsonObject json() {
    return json;
  }

  /** The configuration as logged at start-up: passwords and secrets masked, whatever layer gave them. */
  public String masked() {
    JsonObject copy = json.copy();
    for (String key : SECRET_KEYS) {
      Object value = valueAt(copy, key);
      if (value != null && !value.toString().isEmpty()) {
        put(copy, key, "****");
      }
    }
    for (String section : new String[] {"store", "broker"}) {
      String url = copy.getJsonObject(section).getString("url", "");
      copy.getJsonObject(section).put("url", Secrets.maskUrl(url));
    }
    return copy.encode();
  }

  /** The settings that are secrets, by dotted key. */
  public static List<String> secretKeys() {
    return SECRET_KEYS;
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
