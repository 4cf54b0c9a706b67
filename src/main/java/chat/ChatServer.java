package chat;

import chat.app.AppService;
import chat.app.AppInstanceVerticle;
import chat.fleet.Ec2InstanceProvider;
import chat.fleet.Ec2Options;
import chat.fleet.EventBusFleet;
import chat.fleet.FleetOptions;
import chat.fleet.FleetVerticle;
import chat.fleet.InProcessInstanceProvider;
import chat.fleet.InstanceProvider;
import chat.fleet.InstanceSpec;
import chat.fleet.LocalProcessInstanceProvider;
import chat.login.AdminVerticle;
import chat.messaging.Channels;
import io.vertx.core.json.JsonObject;
import chat.config.ChatConfig;
import chat.config.Secrets;
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
import chat.wire.RequestVerticle;
import chat.wire.WireClient;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
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

  public enum Role { ALL, LOGIN, APP }

  private final Vertx vertx;
  private final ChatConfig config;
  private final Role role;
  private final List<Stopper> stoppers = new ArrayList<>();
  private int loginPort = -1;
  private int appPort = -1;

  private ChatServer(Vertx vertx, ChatConfig config, Role role) {
    this.vertx = vertx;
    this.config = config;
    this.role = role;
  }

  public static Future<ChatServer> start(Vertx vertx, ChatConfig config, Role role) {
    ChatServer s = new ChatServer(vertx, config, role);
    return s.startParts().map(s).recover(e -> s.close().transform(x -> Future.failedFuture(e)));
  }

  private Future<Void> startParts() {
    return vertx.executeBlocking(() -> {
      if (role != Role.APP) {
        config.withFreePorts();
      }
      LOG.info("starting role {} with configuration {}", role.name().toLowerCase(), config.masked());
      Files.createDirectories(config.dataDir());
      return null;
    }).compose(x -> startParts(config.brokerOptions()));
  }

  private Future<Void> startParts(BrokerOptions broker) {
    return vertx.executeBlocking(() -> {
      if (role != Role.APP) {
        startEmbedded(broker);
      }
      return null;
    }).compose(v -> {
      Db db = Db.open(vertx, config.storeOptions(role == Role.APP ? config.remoteStoreUrl("127.0.0.1") : config.localStoreUrl()));
      onStop(db::close);
      return Schema.migrate(db).compose(x -> syncCommits(db)).map(db);
    }).compose(db -> {
      AmqpMessenger messenger = new AmqpMessenger(vertx, broker);
      onStop(messenger::close);
      return role == Role.APP ? startAppRole(db, messenger, broker) : startLoginRole(db, messenger, broker);
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
    return db.tx(c -> Db.update(c, sql)).mapEmpty();
  }

  private void startEmbedded(BrokerOptions broker) throws Exception {
    if (config.store().getString("url", "").isEmpty() && config.store().getBoolean("serve", true)) {
      StoreServer store = new StoreServer();
      store.start(config.host(), config.store().getInteger("port"), config.databasePath(),
          config.store().getInteger("writeDelayMillis"));
      onStopBlocking(store::stop);
    }
    if (broker.embedded()) {
      EmbeddedBroker embedded = new EmbeddedBroker();
      embedded.start(broker);
      onStopBlocking(embedded::stop);
    }
  }

  /** {@code --role=app}: one application instance that registers with the fleet over the broker. */
  private Future<Void> startAppRole(Db db, AmqpMessenger messenger, BrokerOptions broker) {
    JsonObject app = config.app();
    String id = app.getString("instanceId", "");
    String advertise = app.getString("advertiseHost", "");
    AppInstanceVerticle instance = new AppInstanceVerticle(new AppService(db, messenger), config.wireOptions(), broker,
        id.isEmpty() ? "app-" + Channels.random(4) : id, config.host(), config.port(),
        advertise.isEmpty() ? reachable(config.host()) : advertise, config.fleet().getInteger("capacity"),
        app.getLong("heartbeatMillis", 1000L));
    return deploy(instance).onSuccess(x -> appPort = instance.port());
  }

  /** The login role: login server, fleet, and the provider that starts application instances. */
  private Future<Void> startLoginRole(Db db, AmqpMessenger messenger, BrokerOptions broker) {
    InstanceProvider provider = provider(db, messenger, broker);
    onStop(provider::close);
    FleetOptions fleetOptions = FleetOptions.fromJson(config.fleet());
    String advertise = fleetAdvertiseHost();
    String instanceBroker = config.json().getJsonObject("broker").getString("url", "").isEmpty()
        ? "amqp://" + advertise + ":" + broker.amqpPort() : broker.url();
    String instanceStore = config.remoteStoreUrl(advertise);
    FleetVerticle fleet = new FleetVerticle(db, provider, fleetOptions, broker,
        id -> new InstanceSpec(id, instanceBroker, instanceStore, fleetOptions.capacity(), fleetOptions.cluster()));
    WireClient wire = new WireClient(vertx, 30_000);
    onStop(wire::close);
    return vertx.executeBlocking(this::authentication).compose(auth -> {
      LoginService service = new LoginService(db, new EventBusFleet(vertx, fleetOptions.startTimeoutMillis() + 5_000),
          auth, new Forwarder(wire), broker.url());
      RequestVerticle login = new RequestVerticle("login server", service::handle, config.wireOptions(), config.host(),
          config.port());
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
    return deploy(fleet)
        .compose(v -> deploy(login))
        .onSuccess(x -> loginPort = login.port())
        .compose(v -> config.adminPort() > 0 ? deploy(new AdminVerticle(config.host(), config.adminPort()))
            : Future.succeededFuture());
  }

  private InstanceProvider provider(Db db, AmqpMessenger messenger, BrokerOptions broker) {
    String name = config.fleet().getString("provider", "local");
    return switch (name) {
      case "local" -> new LocalProcessInstanceProvider(vertx, config.dataDir(), "127.0.0.1", jvmOptions(),
          Map.of("CHAT_STORE_USER", config.store().getString("user"),
              "CHAT_STORE_PASSWORD", config.store().getString("password"))); 
      case "inprocess" -> new InProcessInstanceProvider(vertx, spec -> {
        AppInstanceVerticle instance = new AppInstanceVerticle(new AppService(db, messenger), config.wireOptions(),
            broker, spec.instanceId(), "127.0.0.1", 0, "127.0.0.1", spec.capacity(),
            config.app().getLong("heartbeatMillis", 1000L));
        return vertx.deployVerticle(instance);
      });
      case "ec2" -> new Ec2InstanceProvider(vertx, Ec2Options.fromJson(config.fleet().getJsonObject("ec2", new JsonObject())));
      default -> throw new IllegalArgumentException("unknown provider " + name + " (local, inprocess or ec2)");
    };
  }

  /**
   * JVM options of local application instances. The defaults keep them small and use only
   * the quick compiler: many instance JVMs on few cores spend less on compiling.
   */
  private List<String> jvmOptions() {
    List<String> options = new java.util.ArrayList<>();
    config.fleet().getJsonArray("jvmOptions", new io.vertx.core.json.JsonArray()).forEach(o -> options.add(String.valueOf(o)));
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
    List<Stopper> order = new ArrayList<>(stoppers);
    stoppers.clear();
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
