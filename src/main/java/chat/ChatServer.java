package chat;

import chat.app.AppService;
import chat.app.AppInstanceVerticle;
import chat.fleet.Ec2InstanceProvider;
import chat.fleet.Ec2Options;
import chat.fleet.EventBusFleet;
import chat.fleet.FleetAgent;
import chat.fleet.FleetOptions;
import chat.fleet.FleetMetrics;
import chat.fleet.FleetVerticle;
import chat.fleet.InProcessInstanceProvider;
import chat.fleet.InstanceProvider;
import chat.fleet.InstanceSpec;
import chat.fleet.LocalProcessInstanceProvider;
import chat.config.Secrets;
import chat.fleet.FleetControl;
import chat.login.AdminVerticle;
import chat.login.BrokerUsers;
import chat.messaging.BrokerSecurity;
import chat.store.StoreAccess;
import chat.messaging.Channels;
import io.vertx.core.json.JsonObject;
import chat.config.ChatConfig;
import chat.config.TlsOptions;
import chat.login.Authentication;
import chat.login.Forwarder;
import chat.login.HashPool;
import chat.login.LoginGuard;
import chat.login.LoginService;
import chat.login.Passwords;
import chat.login.Tokens;
import chat.messaging.AmqpMessenger;
import chat.messaging.BrokerOptions;
import chat.messaging.EmbeddedBroker;
import chat.store.Db;
import chat.store.Schema;
import chat.store.StoreServer;
import chat.ops.Health;
import chat.ops.Metrics;
import chat.ops.OpsRoutes;
import chat.ops.OpsVerticle;
import chat.wire.RequestVerticle;
import chat.wire.WireClient;
import io.micrometer.core.instrument.Gauge;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * Starts the parts of one role and stops them in reverse order. Tests start it in-process;
 * {@link Main} starts it from the command line.
 */
public final class ChatServer {
  private static final Logger LOG = LoggerFactory.getLogger(ChatServer.class);

  /**
   * What a process is: the whole service ({@code ALL}, as {@code LOGIN}), one application
   * instance, or only the embedded broker ({@code BROKER}: one broker of a replicated pair in a
   * process of its own, which reads the store only to know users' tokens).
   */
  public enum Role { ALL, LOGIN, APP, BROKER }

  private final Vertx vertx;
  private final ChatConfig config;
  private final Role role;
  // parts start on more than one thread
  private final List<Stopper> stoppers = Collections.synchronizedList(new ArrayList<>());
  private BrokerSecurity brokerSecurity;
  private volatile EmbeddedBroker embeddedBroker;
  /** The embedded store's network server, when this role serves one. */
  private volatile StoreServer storeServer;
  private String fleetKey;
  private TlsOptions tls = TlsOptions.disabled();
  private int loginPort = -1;
  private int appPort = -1;
  /** The application instance's signer, keyed while the rest starts (other roles: none). */
  private Future<FleetControl.Signer> signer;
  private final Metrics metrics;
  /** Not ready until every part has started; then ready while the parts it needs answer. */
  private final Health health;
  private String adminToken;
  private int adminPort = -1;

  private ChatServer(Vertx vertx, ChatConfig config, Role role) {
    this.vertx = vertx;
    this.config = config;
    this.role = role;
    this.metrics = Metrics.of(vertx);
    this.health = new Health(vertx);
  }

  public static Future<ChatServer> start(Vertx vertx, ChatConfig config, Role role) {
    ChatServer s = new ChatServer(vertx, config, role);
    return s.startParts().map(s).onSuccess(x -> s.health.started())
        .recover(e -> s.close().transform(x -> Future.failedFuture(e)));
  }

  private Future<Void> startParts() {
    // an instance keys its signature and takes its fleet agent's first CPU reading beside the
    // rest of its start, not on its way to registering (FleetControl.Signer, FleetAgent.processCpuNanos)
    String instanceSecret = config.app().getString("instanceSecret", "");
    signer = role != Role.APP || instanceSecret.isEmpty() ? Future.succeededFuture()
        : vertx.executeBlocking(() -> {
          FleetAgent.processCpuNanos();
          return new FleetControl.Signer(instanceSecret);
        }, false);
    return vertx.executeBlocking(() -> {
      Secrets.privateDirectory(config.dataDir());
      if (role != Role.APP) {
        config.withFreePorts();
        config.withServiceSecrets();
      } else if (config.app().getString("instanceSecret", "").isEmpty()) {
        throw new IllegalStateException("an application instance needs its secret (CHAT_INSTANCE_SECRET), "
            + "handed over by the fleet that starts it");
      }
      LOG.info("starting role {} with configuration {}", role.name().toLowerCase(), config.masked());
      tls = config.tlsOptions();
      if (tls.enabled()) {
        LOG.info("TLS on: certificate {} (SHA-256 {}), key {}", tls.cert(), tls.fingerprint(), tls.key());
        if (role == Role.APP && config.tls().getString("cert", "").isEmpty()) {
          LOG.warn("this application server made its own TLS pair: a login server forwards only to servers "
              + "presenting its own certificate (start with --tls-cert and --tls-key)");
        }
      }
      adminToken = adminToken();
      return null;
    }).compose(x -> startAdmin()).compose(x -> startParts(config.brokerOptions(tls)));
  }

  /**
   * The login role starts its embedded broker while it starts, opens and migrates its store:
   * the two do not depend on each other, and together they are most of its start-up. Once the
   * store's database is open, its network listener starts while this process migrates it.
   */
  private Future<Void> startParts(BrokerOptions broker) {
    // the embedded broker stops after the parts that use it (the messenger's link, the fleet),
    // however its start and theirs interleave: it is stopped last of them
    onStopBlocking(() -> {
      EmbeddedBroker started = this.embeddedBroker;
      if (started != null) {
        started.stop();
      }
    });
    Future<Void> embeddedBroker = role == Role.APP ? Future.succeededFuture()
        : vertx.executeBlocking(() -> {
          startEmbeddedBroker(broker);
          return null;
        }, false);
    Future<Void> secured = vertx.executeBlocking(() -> {
      if (role != Role.APP) {
        secureEmbeddedStore();
      }
      return null;
    }, false);
    // the network listener for application instances starts while this process opens and
    // migrates the database in-process: no instance is started before the fleet, which waits for both
    Future<Void> served = secured.compose(v -> storeServer == null ? Future.succeededFuture()
        : vertx.executeBlocking(() -> {
          serveEmbeddedStore();
          return null;
        }, false));
    Future<Db> opened = secured.compose(v -> {
      Db db = Db.open(vertx, config.storeOptions(role == Role.APP ? config.remoteStoreUrl("127.0.0.1") : config.localStoreUrl()));
      onStop(db::close);
      db.bindTo(metrics.registry());
      health.needs("store", db::ping);
      if (role == Role.APP) {
        return Schema.check(db).map(db);
      }
      if (role == Role.BROKER) {
        // brokers start before the login servers that make the schema: users' tokens are read when they connect
        return Future.succeededFuture(db);
      }
      return Schema.migrate(db).compose(x -> syncCommits(db)).compose(x -> grantApplicationUser(db)).map(db);
    });
    Future<Db> store = Future.join(opened, served).map(both -> opened.result());
    // The messenger's link is opened as soon as the broker is up, while the store is still
    // starting: a broker's first AMQP connection is its slowest. Its failure is no failure to
    // start: a publish opens the link again.
    AmqpMessenger messenger = new AmqpMessenger(vertx, broker);
    onStop(messenger::close);
    health.needs("broker", messenger::start);
    embeddedBroker.compose(v -> messenger.start())
        .onFailure(e -> LOG.debug("early link to the broker: {}", e.toString()));
    // join, not all: a part that fails must not leave the other starting unseen by close()
    return Future.join(embeddedBroker, store).compose(both -> {
      Db db = store.result();
      if (brokerSecurity != null) {
        brokerSecurity.users(new BrokerUsers(db));
      }
      return switch (role) {
        case APP -> startAppRole(db, messenger);
        case BROKER -> broker.embedded() ? Future.succeededFuture()
            : Future.failedFuture(new IllegalStateException("--role=broker embeds a broker: broker.embedded must be on"));
        default -> startLoginRole(db, messenger, broker);
      };
    });
  }

  /**
   * The store this role serves itself: make the commit policy of the configuration hold even
   * for a database created with another one (a URL property applies only when it is created).
   */
  private Future<Void> syncCommits(Db db) {
    if (role == Role.APP || !config.localStoreUrl().startsWith("jdbc:hsqldb:file:")) {
      return Future.succeededFuture();
    }
    int delay = config.store().getInteger("writeDelayMillis");
    String sql = delay <= 0 ? "SET FILES WRITE DELAY FALSE" : "SET FILES WRITE DELAY " + delay + " MILLIS";
    return db.tx(c -> c.update(sql)).mapEmpty();
  }

  /**
   * The store's user for application instances, with only the rights they need: made on the
   * embedded store, given its rights on another store when instances have a user of their own.
   */
  private Future<Void> grantApplicationUser(Db db) {
    JsonObject store = config.store();
    if (config.servesStore()) {
      return StoreAccess.grantApplicationUser(db, store.getString("appUser"), store.getString("appPassword"));
    }
    boolean ownUser = !store.getString("appPassword", "").isEmpty()
        && !store.getString("appUser", "").equals(store.getString("user"));
    return ownUser ? StoreAccess.grantRights(db, store.getString("appUser")) : Future.succeededFuture();
  }

  /**
   * Opens the embedded store's database in this process with its administrator's password set.
   * The server that will serve it is stopped after this process's own pool is closed, however
   * the two starts interleave.
   */
  private void secureEmbeddedStore() throws Exception {
    if (config.servesStore()) {
      StoreAccess.secureAdministrator(config.localStoreUrl(), config.store().getString("user"),
          config.store().getString("password"));
      if (config.store().getBoolean("serve", true)) {
        storeServer = new StoreServer();
        onStopBlocking(storeServer::stop);
      }
    }
  }

  /** Serves the embedded store over {@code hsql://} to application instances in other processes. */
  private void serveEmbeddedStore() {
    storeServer.start(config.store().getString("host", "127.0.0.1"), config.store().getInteger("port"),
        config.databasePath(), config.store().getInteger("writeDelayMillis"));
  }

  private void startEmbeddedBroker(BrokerOptions broker) throws Exception {
    if (broker.embedded()) {
      EmbeddedBroker embedded = new EmbeddedBroker();
      brokerSecurity = new BrokerSecurity(
          new BrokerSecurity.ServiceCredentials(broker.user(), broker.password()),
          new BrokerSecurity.ServiceCredentials(config.broker().getString("appUser"),
              config.broker().getString("appPassword")),
          broker.legacyClients());
      embedded.start(broker, brokerSecurity);
      embeddedBroker = embedded;
      Gauge.builder("chat.broker.connections", embedded, EmbeddedBroker::connections)
          .description("connections open to the embedded broker (the service's processes and the users' clients)")
          .register(metrics.registry());
      if (broker.pair().enabled() && broker.pair().networkCheck().isEmpty()
          && !isLoopback(broker.pair().clusterHost())) {
        LOG.warn("broker pair without broker.networkCheck: if the two lose sight of each other while clients still "
            + "reach both, both will be live (see docs/HA-BROKER.md)");
      }
      if (broker.legacyClients()) {
        LOG.warn("broker.legacyClients is on: anyone who knows a channel id may read it over STOMP without logging in");
      }
    }
  }

  /** {@code --role=app}: one application instance that registers with the fleet over the broker. */
  private Future<Void> startAppRole(Db db, AmqpMessenger messenger) {
    JsonObject app = config.app();
    String id = app.getString("instanceId", "");
    String advertise = app.getString("advertiseHost", "");
    AppService service = new AppService(db, messenger, config.limits(), metrics.commands("app"));
    return signer.compose(signs -> {
      AppInstanceVerticle instance = new AppInstanceVerticle(service, config.wireOptions(), messenger.link(),
          id.isEmpty() ? "app-" + Channels.random(4) : id, config.host(), config.port(),
          advertise.isEmpty() ? reachable(config.host()) : advertise, config.fleet().getInteger("capacity"),
          app.getLong("heartbeatMillis", 1000L), signs, tls);
      return deploy(instance).onSuccess(x -> appPort = instance.port());
    });
  }

  /** The login role: login server, fleet, and the provider that starts application instances. */
  private Future<Void> startLoginRole(Db db, AmqpMessenger messenger, BrokerOptions broker) {
    // login servers that share a fleet share its key (fleet.key), else each makes its own
    fleetKey = config.fleet().getString("key", "");
    if (fleetKey.isEmpty()) {
      try {
        fleetKey = Secrets.loadOrCreate(config.dataDir(), "fleet-key");
      } catch (IOException e) {
        return Future.failedFuture(e);
      }
    }
    InstanceProvider provider = provider(db, messenger);
    onStop(provider::close);
    FleetOptions fleetOptions = FleetOptions.fromJson(config.fleet());
    String advertise = fleetAdvertiseHost();
    String instanceBroker = config.json().getJsonObject("broker").getString("url", "").isEmpty()
        ? (tls.enabled() ? "amqps://" : "amqp://") + advertise + ":" + broker.amqpPort() : broker.url();
    String instanceStore = config.remoteStoreUrl(advertise);
    Map<String, String> credentials = config.instanceCredentials();
    FleetVerticle fleet = new FleetVerticle(db, provider, fleetOptions, messenger.link(),
        id -> new InstanceSpec(id, instanceBroker, instanceStore, fleetOptions.capacity(), fleetOptions.cluster(),
            instanceSecrets(credentials, id), tls), fleetKey,
        config.fleet().getString("serverId", ""));
    WireClient wire = new WireClient(vertx, 30_000, tls);
    onStop(wire::close);
    return vertx.executeBlocking(this::authentication).compose(auth -> {
      LoginService service = new LoginService(db, new EventBusFleet(vertx, fleetOptions.startTimeoutMillis() + 5_000),
          auth, new Forwarder(wire), broker.url(), config.limits(), metrics);
      RequestVerticle login = new RequestVerticle("login server", service::handle, config.wireOptions(), config.host(),
          config.port(), tls);
      return deployLogin(fleet, login);
    });
  }

  /** Password hashing, its pool, the guard against guessing, and the token key (made on first start). */
  private Authentication authentication() throws IOException {
    Passwords passwords = new Passwords(config.passwordOptions());
    if (passwords.options().weakerThanOwasp()) {
      LOG.warn("password hashes are cheaper than the recommended minimum (Argon2id m={} KiB, t={})",
          Passwords.OWASP.memoryKiB(), Passwords.OWASP.iterations());
    }
    JsonObject p = config.passwords();
    HashPool hashes = new HashPool(vertx, HashPool.threads(p.getInteger("hashThreads")), p.getInteger("hashQueue"));
    onStop(hashes::close);
    String secret = config.tokens().getString("secret", "");
    if (secret.isEmpty()) {
      secret = Secrets.loadOrCreate(config.dataDir(), "token-key");
    }
    Tokens tokens = new Tokens(secret, config.tokens().getLong("idleSeconds") * 1000,
        config.tokens().getLong("absoluteSeconds") * 1000);
    return new Authentication(passwords, hashes, new LoginGuard(config.loginGuardOptions(), ChatServer::monotonicMillis),
        tokens, p.getInteger("minLength"));
  }

  private static long monotonicMillis() {
    return System.nanoTime() / 1_000_000;
  }

  private Future<Void> deployLogin(FleetVerticle fleet, RequestVerticle login) {
    health.needs("fleet", () -> vertx.eventBus().request(FleetVerticle.SNAPSHOT, null,
        new DeliveryOptions().setSendTimeout(Health.TIMEOUT_MILLIS)));
    FleetMetrics.of(vertx).watch(vertx);
    return deploy(fleet)
        .compose(v -> deploy(login))
        .onSuccess(x -> loginPort = login.port());
  }

  /**
   * The admin token: the configured one; else, when the admin listener is bound wider than
   * loopback, the one kept in this role's data directory (made on first use).
   */
  private String adminToken() throws IOException {
    String host = config.admin().getString("host", "127.0.0.1");
    String token = config.admin().getString("token", "");
    if (token.isEmpty() && !isLoopback(host)) {
      token = Secrets.loadOrCreate(config.dataDir(), "admin-token");
      LOG.info("admin listener on {} needs a bearer token: it is in {}", host,
          config.dataDir().resolve("secrets").resolve("admin-token").toAbsolutePath());
    }
    return token;
  }

  /**
   * The admin listener, started first so that it answers "not ready" while the rest starts:
   * on the login role the admin endpoint ({@code admin.port}, 0: none), on an application
   * instance its metrics and health ({@code app.adminPort}, 0: any free port, -1: none).
   * Both on {@code admin.host}, behind the bearer token when there is one.
   */
  private Future<Void> startAdmin() {
    String host = config.admin().getString("host", "127.0.0.1");
    if (role == Role.APP) {
      int port = config.app().getInteger("adminPort", 0);
      if (port < 0) {
        return Future.succeededFuture();
      }
      // the JVM's figures are bound when first asked for, not beside the instance's start (Metrics.vertx)
      OpsVerticle ops = new OpsVerticle(host, port, adminToken, new OpsRoutes(metrics, health,
          () -> Metrics.bindJvm(vertx)));
      return deploy(ops).onSuccess(x -> adminPort = ops.port());
    }
    if (config.adminPort() <= 0) {
      return Future.succeededFuture();
    }
    FleetMetrics fleet = FleetMetrics.of(vertx);
    AdminVerticle admin = new AdminVerticle(host, config.adminPort(), adminToken,
        new OpsRoutes(metrics, health, () -> fleet.refresh(vertx)));
    return deploy(admin).onSuccess(x -> adminPort = admin.port());
  }

  static boolean isLoopback(String host) {
    try {
      return java.net.InetAddress.getByName(host).isLoopbackAddress();
    } catch (java.net.UnknownHostException e) {
      return false;
    }
  }

  /** What instance {@code id} is handed at launch: the service credentials and its own secret. */
  private Map<String, String> instanceSecrets(Map<String, String> credentials, String id) {
    Map<String, String> secrets = new java.util.LinkedHashMap<>(credentials);
    secrets.put("CHAT_INSTANCE_SECRET", FleetControl.instanceSecret(fleetKey, id));
    // not a secret, but it travels the same way: the instance applies the login role's limits
    secrets.put(ChatConfig.LIMITS_ENV, config.json().getJsonObject("limits").encode());
    return secrets;
  }

  private InstanceProvider provider(Db db, AmqpMessenger messenger) {
    String name = config.fleet().getString("provider", "local");
    return switch (name) {
      case "local" -> new LocalProcessInstanceProvider(vertx, config.dataDir(), "127.0.0.1",
          jvmOptions(config.fleet().getValue("jvmOptions")));
      case "inprocess" -> new InProcessInstanceProvider(vertx, spec -> {
        AppService service = new AppService(db, messenger, config.limits(), metrics.commands("app"));
        AppInstanceVerticle instance = new AppInstanceVerticle(service, config.wireOptions(), messenger.link(), spec.instanceId(),
            "127.0.0.1", 0, "127.0.0.1", spec.capacity(), config.app().getLong("heartbeatMillis", 1000L),
            new FleetControl.Signer(spec.secrets().get("CHAT_INSTANCE_SECRET")), spec.tls());
        return vertx.deployVerticle(instance);
      });
      case "ec2" -> new Ec2InstanceProvider(vertx, Ec2Options.fromJson(config.fleet().getJsonObject("ec2", new JsonObject())));
      default -> throw new IllegalArgumentException("unknown provider " + name + " (local, inprocess or ec2)");
    };
  }

  /**
   * JVM options of local application instances ({@code fleet.jvmOptions}): a JSON array, or one
   * text of options separated by spaces (as {@code --set} gives it).
   */
  static List<String> jvmOptions(Object value) {
    List<String> options = new java.util.ArrayList<>();
    if (value instanceof io.vertx.core.json.JsonArray array) {
      array.forEach(o -> options.add(String.valueOf(o)));
    } else if (value instanceof String text && !text.isBlank()) {
      options.addAll(List.of(text.trim().split("\\s+")));
    }
    return options;
  }

  /** The address instances use to reach this login role's broker and store. */
  private String fleetAdvertiseHost() {
    String advertise = config.fleet().getString("advertiseHost", "");
    return advertise.isEmpty() ? reachable(config.host()) : advertise;
  }

  private static String reachable(String host) {
    return host == null || host.isEmpty() || host.equals("0.0.0.0") || host.equals("::") ? "127.0.0.1" : host;
  }

  private Future<Void> deploy(io.vertx.core.Deployable verticle) {
    return vertx.deployVerticle(verticle).map(id -> {
      onStop(() -> vertx.undeploy(id));
      return null;
    });
  }

  public int loginPort() {
    return loginPort;
  }

  public int appPort() {
    return appPort;
  }

  /** The port of this role's admin listener; -1 when it has none. */
  public int adminPort() {
    return adminPort;
  }

  /** The broker this role embeds, or null. */
  public EmbeddedBroker embeddedBroker() {
    return embeddedBroker;
  }

  /** TLS of this role's ports, as resolved at start. */
  public TlsOptions tls() {
    return tls;
  }

  private void onStop(Stopper s) {
    stoppers.add(s);
  }

  private void onStopBlocking(Runnable r) {
    stoppers.add(() -> vertx.executeBlocking(() -> {
      r.run();
      return null;
    }).mapEmpty());
  }

  /** Stops every part that started, newest first; failures are logged, never stop the rest. */
  public Future<Void> close() {
    List<Stopper> order;
    synchronized (stoppers) {
      order = new ArrayList<>(stoppers);
      stoppers.clear();
    }
    Collections.reverse(order);
    Future<Void> chain = Future.succeededFuture();
    for (Stopper s : order) {
      chain = chain.transform(x -> s.stop().recover(e -> {
        LOG.warn("stopping a part failed: {}", e.toString());
        return Future.succeededFuture();
      }).mapEmpty());
    }
    return chain;
  }

  @FunctionalInterface
  private interface Stopper {
    Future<?> stop();
  }
}
