package chat;

import chat.app.AppService;
import chat.app.AppVerticle;
import chat.config.ChatConfig;
import chat.fleet.AppAddress;
import chat.fleet.StaticFleet;
import chat.login.Forwarder;
import chat.login.LoginService;
import chat.login.LoginVerticle;
import chat.login.Passwords;
import chat.messaging.AmqpMessenger;
import chat.messaging.BrokerOptions;
import chat.messaging.EmbeddedBroker;
import chat.store.Db;
import chat.store.Schema;
import chat.store.StoreServer;
import chat.wire.WireClient;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

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
      Db db = Db.open(vertx, config.storeOptions(role == Role.APP ? config.store().getString("url") : config.localStoreUrl()));
      onStop(db::close);
      return Schema.migrate(db).map(db);
    }).compose(db -> {
      AmqpMessenger messenger = new AmqpMessenger(vertx, broker);
      onStop(messenger::close);
      return messenger.start().map(x -> startApp(db, messenger)).compose(x -> x).map(db);
    }).compose(db -> role == Role.APP ? Future.succeededFuture() : startLogin(db, broker));
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

  private Future<Void> startApp(Db db, AmqpMessenger messenger) {
    AppVerticle app = new AppVerticle(new AppService(db, messenger), config.wireOptions(),
        role == Role.APP ? config.host() : "127.0.0.1", role == Role.APP ? config.port() : config.app().getInteger("port"));
    return deploy(app).onSuccess(x -> appPort = app.port());
  }

  private Future<Void> startLogin(Db db, BrokerOptions broker) {
    WireClient wire = new WireClient(vertx, 10_000);
    onStop(wire::close);
    StaticFleet fleet = new StaticFleet(new AppAddress("app-0", "127.0.0.1", appPort));
    LoginService service = new LoginService(vertx, db, fleet, new Passwords(config.passwordIterations()),
        new Forwarder(wire), broker.url());
    LoginVerticle login = new LoginVerticle(service, config.wireOptions(), config.host(), config.port());
    return deploy(login).onSuccess(x -> loginPort = login.port());
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
