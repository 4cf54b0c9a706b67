package chat.messaging;

import chat.config.ChatConfig;
import chat.fleet.FleetControl;
import chat.support.TestServers;
import io.vertx.amqp.AmqpMessage;
import io.vertx.core.Context;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import javax.management.ObjectName;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** One connection to a real embedded broker that comes back by itself when the broker does. */
class BrokerLinkTest {
  /** A queue only login servers may use, as the fleet's own are. */
  private static final String UNWRAPPED = "queue://" + BrokerPolicy.LOGIN_PREFIX + "reply.test";
  @TempDir
  Path data;
  private final Vertx vertx = Vertx.vertx();
  private EmbeddedBroker broker;
  private BrokerOptions login;
  private BrokerOptions app;

  private void startBroker() throws Exception {
    broker = new EmbeddedBroker();
    broker.start(login, new BrokerSecurity(new BrokerSecurity.ServiceCredentials(login.user(), login.password()),
        new BrokerSecurity.ServiceCredentials(app.user(), app.password()), false));
  }

  private void setUp() throws Exception {
    ChatConfig config = TestServers.config(data, Map.of()).withFreePorts();
    int amqp = config.broker().getInteger("amqpPort");
    int stomp = config.broker().getInteger("stompPort");
    String url = "amqp://127.0.0.1:" + amqp;
    login = new BrokerOptions(url, true, "127.0.0.1", amqp, stomp, data.toString(), "chat-login", "login-secret",
        false, null);
    app = new BrokerOptions(url, true, "127.0.0.1", amqp, stomp, data.toString(), "chat-app", "app-secret", false,
        null);
    startBroker();
  }

  @AfterEach
  void tearDown() throws Exception {
    if (broker != null) {
      broker.stop();
    }
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  /** An instance's registration, its first send, does not wait for a sender to be attached first. */
  @Test
  void theSenderIsAttachedAsTheLinkOpensBeforeAnythingIsSent() throws Exception {
    setUp();
    BrokerLink link = BrokerLink.service(vertx, app, "sender");
    link.connect().await(10, TimeUnit.SECONDS);
    chat.support.Conditions.await("a sender attached with nothing sent yet", 10_000, () -> broker.producers() == 1);
    link.send(AmqpMessage.create().address(FleetControl.ADDRESS).withBody("x").build()).await(10, TimeUnit.SECONDS);
    assertEquals(1, broker.producers(), "and the send used it");
    link.close().await(10, TimeUnit.SECONDS);
  }

  @Test
  void receiversAndConnectHandlersComeBackWhenTheBrokerDoes() throws Exception {
    setUp();
    List<String> received = new CopyOnWriteArrayList<>();
    AtomicInteger connects = new AtomicInteger();
    BrokerLink listener = BrokerLink.service(vertx, login, "listener");
    listener.receive(FleetControl.ADDRESS, m -> received.add(m.bodyAsString())).await(10, TimeUnit.SECONDS);
    AtomicInteger leftConnects = new AtomicInteger();
    Handler<Void> left = v -> leftConnects.incrementAndGet();
    // handlers run in the order given: once the second has run, the first has too
    BrokerLink sender = BrokerLink.service(vertx, app, "sender").onConnect(left)
        .onConnect(v -> connects.incrementAndGet());
    sender.connect().await(10, TimeUnit.SECONDS);
    assertEquals(1, connects.get());
    assertEquals(1, leftConnects.get());
    // a handler removed (an instance that stopped, on a link its process keeps) runs no more
    sender.removeOnConnect(left);
    sender.send(message("before")).await(10, TimeUnit.SECONDS);
    waitFor(() -> received.contains("before"), "delivered before the restart");

    broker.stop();
    waitFor(() -> !listener.connected() && !sender.connected(), "both links see the broker go");
    startBroker();
    waitFor(() -> listener.connected() && sender.connected(), "both links reconnect by themselves");
    waitFor(() -> connects.get() == 2, "the connect handler runs again");
    assertEquals(1, leftConnects.get(), "the removed handler did not run again");

    sender.send(message("after")).await(10, TimeUnit.SECONDS);
    waitFor(() -> received.contains("after"), "the receiver was attached again");
    listener.close().await(10, TimeUnit.SECONDS);
    sender.close().await(10, TimeUnit.SECONDS);
  }

  @Test
  void aVerticleSharingALinkOpenedElsewhereHandlesItsDeliveriesAndOutcomesOnItsOwnContext() throws Exception {
    setUp();
    BrokerLink shared = BrokerLink.service(vertx, login, "shared");
    Context opener = vertx.getOrCreateContext();
    opener.runOnContext(v -> shared.connect());
    waitFor(shared::connected, "the link opened from another context");
    Context verticle = vertx.getOrCreateContext();
    List<String> seen = new CopyOnWriteArrayList<>();
    verticle.runOnContext(v -> shared.receive(verticle, FleetControl.ADDRESS,
            m -> seen.add("delivery on " + where(verticle, opener)))
        .onComplete(ar -> seen.add("attached on " + where(verticle, opener))));
    // without the wrapping, what the link delivers comes on the thread of whoever opened it
    shared.receive(UNWRAPPED, m -> seen.add("unwrapped delivery on " + where(verticle, opener)))
        .await(10, TimeUnit.SECONDS);
    waitFor(() -> seen.contains("attached on verticle"), "attached, the outcome on the verticle's context: " + seen);
    BrokerLink sender = BrokerLink.service(vertx, app, "sender");
    sender.send(message("hello")).await(10, TimeUnit.SECONDS);
    BrokerLink.service(vertx, login, "login sender").send(AmqpMessage.create().address(UNWRAPPED)
        .withBody("x").durable(false).ttl(10_000).build()).await(10, TimeUnit.SECONDS);
    waitFor(() -> seen.size() == 3, "both delivered: " + seen);
    assertEquals(List.of("attached on verticle", "delivery on verticle", "unwrapped delivery on opener"), seen);
    shared.close().await(10, TimeUnit.SECONDS);
    sender.close().await(10, TimeUnit.SECONDS);
  }

  private static String where(Context verticle, Context opener) {
    Context now = Vertx.currentContext();
    return now == verticle ? "verticle" : now == opener ? "opener" : String.valueOf(now);
  }

  @Test
  void theBrokerLeavesTheJvmsPlatformMBeanServerUnmade() throws Exception {
    setUp();
    // making the platform server (every platform MXBean, the flight recorder's too) cost the
    // login role's start about 0.1 s; the broker, whose management is off, has an empty one of its own
    assertTrue(broker.mbeanServer() != ManagementFactory.getPlatformMBeanServer());
    assertEquals(Set.of(), broker.mbeanServer().queryNames(new ObjectName("java.lang:*"), null));
  }

  @Test
  void aSendOnlyLinkConnectsAgainOnItsNextSend() throws Exception {
    setUp();
    BrokerLink publisher = BrokerLink.service(vertx, login, "publisher");
    publisher.send(message("one")).await(10, TimeUnit.SECONDS);
    broker.stop();
    waitFor(() -> !publisher.connected(), "the link sees the broker go");
    startBroker();
    publisher.send(message("two")).await(10, TimeUnit.SECONDS);
    assertTrue(publisher.connected());
    publisher.close().await(10, TimeUnit.SECONDS);
  }

  @Test
  void aSendWithNoBrokerFailsClearly() throws Exception {
    setUp();
    broker.stop();
    broker = null;
    BrokerLink publisher = BrokerLink.service(vertx, login, "publisher");
    Exception e = org.junit.jupiter.api.Assertions.assertThrows(Exception.class,
        () -> publisher.send(message("lost")).await(10, TimeUnit.SECONDS));
    assertTrue(e.getMessage() != null && !e.getMessage().isEmpty(), String.valueOf(e));
    publisher.close().await(10, TimeUnit.SECONDS);
  }

  private static AmqpMessage message(String text) {
    return AmqpMessage.create().address(FleetControl.ADDRESS).withBody(text).durable(false).ttl(10_000).build();
  }

  private static void waitFor(BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.currentTimeMillis() + 15_000;
    while (!condition.getAsBoolean()) {
      assertTrue(System.currentTimeMillis() < deadline, "timed out waiting: " + what);
      Thread.sleep(20);
    }
  }
}
