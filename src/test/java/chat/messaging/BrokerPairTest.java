package chat.messaging;

import chat.config.ChatConfig;
import chat.fleet.FleetControl;
import chat.support.TestServers;
import io.vertx.amqp.AmqpClient;
import io.vertx.amqp.AmqpClientOptions;
import io.vertx.amqp.AmqpConnection;
import io.vertx.amqp.AmqpMessage;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A replicated pair of real embedded brokers on loopback: links that know both go on on the
 * backup when the primary goes, whether it hands over (a clean stop) or just disappears.
 */
class BrokerPairTest {
  @TempDir
  Path dataPrimary;
  @TempDir
  Path dataBackup;
  private final Vertx vertx = Vertx.vertx();
  private final List<AutoCloseable> toClose = new CopyOnWriteArrayList<>();
  private EmbeddedBroker primary;
  private EmbeddedBroker backup;
  private BrokerOptions primaryOptions;
  private BrokerOptions backupOptions;
  private BrokerOptions login;
  private BrokerOptions app;
  private String clusterPassword;
  /** Ann's personal channel. */
  private final String annChannel = Channels.newPersonal();

  @BeforeEach
  void configure() throws Exception {
    ChatConfig a = TestServers.config(dataPrimary, Map.of("broker.clusterPort", "0")).withFreePorts();
    ChatConfig b = TestServers.config(dataBackup, Map.of("broker.clusterPort", "0")).withFreePorts();
    String urls = "amqp://127.0.0.1:" + a.broker().getInteger("amqpPort") + ",amqp://127.0.0.1:"
        + b.broker().getInteger("amqpPort");
    clusterPassword = "cluster-" + Channels.random(8);
    primaryOptions = options(a, dataPrimary, urls, BrokerPair.Role.PRIMARY, b);
    backupOptions = options(b, dataBackup, urls, BrokerPair.Role.BACKUP, a);
    login = primaryOptions;
    app = new BrokerOptions(urls, false, "127.0.0.1", 0, 0, dataPrimary.toString(), "chat-app", "app-secret", false,
        null);
  }

  private BrokerOptions options(ChatConfig own, Path data, String urls, BrokerPair.Role role, ChatConfig peer) {
    return new BrokerOptions(urls, true, "127.0.0.1", own.broker().getInteger("amqpPort"),
        own.broker().getInteger("stompPort"), data.toString(), "chat-login", "login-secret", false, null,
        new BrokerPair(role, "127.0.0.1", own.broker().getInteger("clusterPort"),
            "127.0.0.1:" + peer.broker().getInteger("clusterPort"), "chat-cluster", clusterPassword, ""));
  }

  private EmbeddedBroker start(BrokerOptions options) throws Exception {
    EmbeddedBroker broker = new EmbeddedBroker();
    BrokerSecurity security = new BrokerSecurity(new BrokerSecurity.ServiceCredentials("chat-login", "login-secret"),
        new BrokerSecurity.ServiceCredentials("chat-app", "app-secret"), false);
    // one user, "ann", whose token is "ann-token" and who owns her personal channel
    security.users(new BrokerSecurity.UserDirectory() {
      @Override
      public boolean holdsToken(String user, String token) {
        return "ann".equals(user) && "ann-token".equals(token);
      }

      @Override
      public boolean mayRead(String user, String channel) {
        return "ann".equals(user) && annChannel.equals(channel);
      }
    });
    broker.start(options, security);
    return broker;
  }

  private void startPair() throws Exception {
    primary = start(primaryOptions);
    backup = start(backupOptions);
    waitFor(() -> primary.replicating() && backup.replicating(), "the backup is in step with the primary", 30_000);
    assertTrue(primary.live());
    assertFalse(backup.live(), "a backup is passive while its primary lives");
  }

  @AfterEach
  void tearDown() throws Exception {
    for (AutoCloseable c : toClose) {
      c.close();
    }
    for (EmbeddedBroker b : new EmbeddedBroker[] {backup, primary}) {
      if (b != null) {
        b.stop();
      }
    }
    vertx.close().await(20, TimeUnit.SECONDS);
  }

  @Test
  void aPassiveBackupAcceptsNoClient() throws Exception {
    startPair();
    AmqpClient direct = AmqpClient.create(vertx, new AmqpClientOptions().setHost("127.0.0.1")
        .setPort(backupOptions.amqpPort()).setUsername("chat-login").setPassword("login-secret")
        .setReconnectAttempts(0).setConnectTimeout(2_000));
    assertThrows(Exception.class, () -> direct.connect().await(10, TimeUnit.SECONDS),
        "nobody talks to a backup that would deliver nothing");
    direct.close();
  }

  @Test
  void aPairRefusesAPeerWithTheWrongClusterPassword() throws Exception {
    primary = start(primaryOptions);
    BrokerPair p = backupOptions.pair();
    BrokerOptions wrong = new BrokerOptions(backupOptions.url(), true, "127.0.0.1", backupOptions.amqpPort(),
        backupOptions.stompPort(), backupOptions.dataDir(), "chat-login", "login-secret", false, null,
        new BrokerPair(p.role(), p.clusterHost(), p.clusterPort(), p.peer(), p.clusterUser(), "not-the-password", ""));
    backup = start(wrong);
    // give it the time a right password takes to get in step, and more
    long deadline = System.currentTimeMillis() + 8_000;
    while (System.currentTimeMillis() < deadline) {
      assertFalse(primary.replicating() || backup.replicating(), "a backup with a wrong password replicates nothing");
      Thread.sleep(100);
    }
    assertTrue(primary.live());
    assertFalse(backup.live());
  }

  @Test
  void whenThePrimaryStopsEveryLinkGoesOnOnTheBackup() throws Exception {
    startPair();
    failover(primary::stop, "stop");
  }

  @Test
  void whenThePrimaryDiesEveryLinkGoesOnOnTheBackup() throws Exception {
    startPair();
    failover(primary::halt, "halt");
  }

  /**
   * The fleet's control receiver, an instance that registers on every connect, a publisher and
   * a user's subscription, all through the primary; then the primary goes; all of them work on
   * the backup, and how long it took is printed.
   */
  private void failover(Runnable kill, String how) throws Exception {
    List<String> control = new CopyOnWriteArrayList<>();
    BrokerLink fleet = link(BrokerLink.service(vertx, login, "fleet"));
    fleet.receive(FleetControl.ADDRESS, m -> control.add(m.bodyAsString())).await(10, TimeUnit.SECONDS);
    List<Long> registered = new CopyOnWriteArrayList<>();
    BrokerLink instance = link(BrokerLink.service(vertx, app, "instance"));
    instance.onConnect(v -> instance.send(control("register")).onSuccess(x -> registered.add(System.nanoTime())));
    instance.connect().await(10, TimeUnit.SECONDS);
    AmqpMessenger publisher = new AmqpMessenger(vertx, login);
    toClose.add(() -> publisher.close().await(10, TimeUnit.SECONDS));
    List<String> ann = new CopyOnWriteArrayList<>();
    UserSubscription user = new UserSubscription(Channels.personalAddress(annChannel), ann);
    toClose.add(user::close);
    user.open();

    waitFor(() -> control.contains("register"), "the instance registered through the primary", 10_000);
    publisher.direct(annChannel, new JsonObject().put("message", "before")).await(10, TimeUnit.SECONDS);
    waitFor(() -> ann.contains("before"), "ann got a delivery through the primary", 10_000);

    long killed = System.nanoTime();
    kill.run();
    waitFor(backup::live, "the backup becomes live", 30_000);
    long backupLive = System.nanoTime();
    waitFor(() -> registered.size() >= 2, "the instance registered again, on the backup", 30_000);
    long reRegistered = registered.get(registered.size() - 1);
    waitFor(() -> control.stream().filter("register"::equals).count() >= 2, "the fleet hears it on the backup", 10_000);
    long heard = System.nanoTime();
    instance.send(control("heartbeat")).await(10, TimeUnit.SECONDS);
    waitFor(() -> control.contains("heartbeat"), "heartbeats reach the fleet on the backup", 10_000);
    // the user's client subscribes again when it sees its connection go, as the real client does
    waitFor(user::reopened, "ann subscribed again, on the backup", 30_000);
    long userBack = System.nanoTime();
    publisher.direct(annChannel, new JsonObject().put("message", "after")).await(10, TimeUnit.SECONDS);
    waitFor(() -> ann.contains("after"), "ann got a delivery through the backup", 10_000);
    long delivered = System.nanoTime();
    System.out.printf("broker pair, primary %s: backup live after %d ms, instance registered again after %d ms, "
            + "fleet heard it after %d ms, user subscribed again after %d ms, first delivery on the backup after %d ms%n",
        how, ms(backupLive - killed), ms(reRegistered - killed), ms(heard - killed), ms(userBack - killed),
        ms(delivered - killed));
    assertTrue(ms(delivered - killed) < 15_000, "everything went on within seconds: " + ms(delivered - killed) + " ms");
  }

  @Test
  void aDeliveryThePrimaryAcceptedIsReadFromTheBackupAfterItDiesUnlessItWasNotDurable() throws Exception {
    startPair();
    AmqpMessenger messenger = new AmqpMessenger(vertx, login);
    toClose.add(() -> messenger.close().await(10, TimeUnit.SECONDS));
    BrokerLink publisher = link(BrokerLink.service(vertx, login, "publisher"));
    List<String> ann = new CopyOnWriteArrayList<>();
    // ann subscribes once, so her queue exists, and goes away for a moment (her queue stays a while)
    UserSubscription first = new UserSubscription(Channels.personalAddress(annChannel), ann);
    first.open();
    first.close();
    // the messenger of the service: durable to a pair
    messenger.direct(annChannel, new JsonObject().put("message", "kept")).await(10, TimeUnit.SECONDS);
    publisher.send(delivery("dropped", false)).await(10, TimeUnit.SECONDS);
    primary.halt();
    waitFor(backup::live, "the backup becomes live", 30_000);
    UserSubscription again = new UserSubscription(Channels.personalAddress(annChannel), ann);
    toClose.add(again);
    again.open();
    publisher.send(delivery("after", false)).await(10, TimeUnit.SECONDS);
    waitFor(() -> ann.contains("after"), "ann reads on the backup", 10_000);
    assertTrue(ann.contains("kept"), "the durable delivery the primary had accepted: " + ann);
    assertFalse(ann.contains("dropped"), "a non-durable delivery is not replicated: " + ann);
  }

  /**
   * What durable deliveries cost: the time to have a delivery accepted, one after the other,
   * non-durable and durable, on the pair and on a broker on its own; printed, not judged.
   */
  @Test
  void durableDeliveriesCostAJournalWriteAndAReplicationRoundTrip() throws Exception {
    startPair();
    BrokerLink publisher = link(BrokerLink.service(vertx, login, "publisher"));
    List<String> ann = new CopyOnWriteArrayList<>();
    UserSubscription user = new UserSubscription(Channels.personalAddress(annChannel), ann);
    toClose.add(user);
    user.open();
    int n = 300;
    for (boolean durable : new boolean[] {false, true, false, true}) {
      ann.clear();
      long start = System.nanoTime();
      for (int i = 0; i < n; i++) {
        publisher.send(delivery("m" + i, durable)).await(10, TimeUnit.SECONDS);
      }
      long micros = TimeUnit.NANOSECONDS.toMicros(System.nanoTime() - start) / n;
      waitFor(() -> ann.size() == n, "every delivery arrived", 30_000);
      System.out.printf("broker pair: %s deliveries accepted in %d us each (%d in a row)%n",
          durable ? "durable" : "non-durable", micros, n);
    }
  }

  @Test
  void theOldPrimaryComingBackJoinsAsTheBackupOfTheBrokerThatTookOver() throws Exception {
    startPair();
    primary.halt();
    waitFor(backup::live, "the backup becomes live", 30_000);
    primary.stop();
    primary = start(primaryOptions);
    waitFor(() -> primary.replicating() && backup.replicating(), "the old primary copies from the new live broker",
        30_000);
    assertFalse(primary.live(), "two live brokers: split brain");
    assertTrue(backup.live(), "no fail-back");
  }

  @Test
  void aSendToAPairWaitsAWhileForABrokerToServe() throws Exception {
    BrokerLink publisher = link(BrokerLink.service(vertx, login, "publisher"));
    io.vertx.core.Future<Void> sent = publisher.send(control("waited"));
    assertFalse(sent.isComplete(), "no broker serves yet: the send waits");
    // the second broker of the list comes up (on its own: all a link can tell is that it serves)
    backup = start(new BrokerOptions(login.url(), true, "127.0.0.1", backupOptions.amqpPort(),
        backupOptions.stompPort(), dataBackup.toString(), "chat-login", "login-secret", false, null));
    sent.await(10, TimeUnit.SECONDS);
    assertTrue(publisher.connected());
  }

  @Test
  void withTlsOnThePairTalksTlsAndItsLinksFollowToTheBackup() throws Exception {
    chat.config.TlsOptions tls = chat.config.TlsOptions.resolve(new JsonObject().put("enabled", true), dataPrimary,
        List.of("127.0.0.1"));
    String urls = login.url().replace("amqp://", "amqps://");
    primaryOptions = withTls(primaryOptions, urls, tls);
    backupOptions = withTls(backupOptions, urls, tls);
    login = primaryOptions;
    startPair();
    List<String> control = new CopyOnWriteArrayList<>();
    BrokerLink fleet = link(BrokerLink.service(vertx, login, "fleet"));
    fleet.receive(FleetControl.ADDRESS, m -> control.add(m.bodyAsString())).await(10, TimeUnit.SECONDS);
    BrokerLink instance = link(BrokerLink.service(vertx, login, "instance"));
    instance.send(control("before")).await(10, TimeUnit.SECONDS);
    waitFor(() -> control.contains("before"), "a message through the primary, over TLS", 10_000);
    primary.halt();
    waitFor(backup::live, "the backup becomes live", 30_000);
    waitFor(fleet::connected, "the receiver's link moves to the backup", 30_000);
    instance.send(control("after")).await(10, TimeUnit.SECONDS);
    waitFor(() -> control.contains("after"), "a message through the backup, over TLS", 10_000);
  }

  private static BrokerOptions withTls(BrokerOptions o, String urls, chat.config.TlsOptions tls) {
    return new BrokerOptions(urls, true, o.host(), o.amqpPort(), o.stompPort(), o.dataDir(), o.user(), o.password(),
        false, tls, o.pair());
  }

  private AmqpMessage delivery(String text, boolean durable) {
    return AmqpMessage.create().address(Channels.personalAddress(annChannel))
        .withBody(new JsonObject().put("message", text).encode()).durable(durable).ttl(60_000).build();
  }

  private BrokerLink link(BrokerLink l) {
    toClose.add(() -> l.close().await(10, TimeUnit.SECONDS));
    return l;
  }

  private static AmqpMessage control(String text) {
    return AmqpMessage.create().address(FleetControl.ADDRESS).withBody(text).durable(false).ttl(10_000).build();
  }

  private static long ms(long nanos) {
    return TimeUnit.NANOSECONDS.toMillis(nanos);
  }

  /** What the client does for a user: its own connection, name and token, to the brokers in turn. */
  private final class UserSubscription implements AutoCloseable {
    private final String address;
    private final List<String> received;
    private volatile AmqpConnection connection;
    private volatile int opened;

    UserSubscription(String address, List<String> received) {
      this.address = address;
      this.received = received;
    }

    void open() {
      for (String url : login.urls()) {
        try {
          AmqpConnection c = AmqpClient.create(vertx, new AmqpClientOptions().setHost(BrokerOptions.urlHost(url))
                  .setPort(BrokerOptions.urlPort(url)).setUsername("ann").setPassword("ann-token")
                  .setReconnectAttempts(0).setConnectTimeout(2_000))
              .connect().await(10, TimeUnit.SECONDS);
          c.createReceiver(address).await(10, TimeUnit.SECONDS)
              .handler(m -> received.add(new JsonObject(m.bodyAsString()).getString("message")));
          connection = c;
          opened++;
          return;
        } catch (Exception e) {
          // the next broker
        }
      }
    }

    /** Opens again when the connection is gone; true once it was opened again. */
    boolean reopened() {
      if (connection != null && connection.isDisconnected()) {
        connection = null;
      }
      if (connection == null) {
        open();
      }
      return opened >= 2;
    }

    @Override
    public void close() throws Exception {
      if (connection != null) {
        connection.close().await(10, TimeUnit.SECONDS);
      }
    }
  }

  private static void waitFor(BooleanSupplier condition, String what, long millis) throws InterruptedException {
    long deadline = System.currentTimeMillis() + millis;
    while (!condition.getAsBoolean()) {
      assertTrue(System.currentTimeMillis() < deadline, "timed out waiting: " + what);
      Thread.sleep(10);
    }
  }
}
