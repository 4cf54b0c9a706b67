package chat.messaging;

import chat.support.RunningService;
import chat.support.Stomp;
import io.vertx.amqp.AmqpClient;
import io.vertx.amqp.AmqpClientOptions;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The embedded broker, tried as a stranger and as a curious user would over STOMP and AMQP:
 * nobody reads a channel that is not theirs, nobody publishes but the service.
 */
class BrokerSecurityTest {
  @TempDir
  Path data;
  @AutoClose
  private RunningService service;
  /** a and b are friends, both logged in; a is in group "team". */
  private JsonObject loginA;
  private JsonObject loginB;

  private void start(Map<String, String> settings) throws Exception {
    service = RunningService.start(data, settings);
    service.ask("register a pa");
    service.ask("register b pb");
    loginA = service.ask("login a pa");
    loginB = service.ask("login b pb");
    service.ask("invite " + token(loginA) + " b");
    service.ask("accept-invite " + token(loginB) + " a");
    service.ask("create-group " + token(loginA) + " team");
  }

  private static String token(JsonObject login) {
    return login.getString("token");
  }

  private static String personal(JsonObject login) {
    return login.getJsonArray("channel").getJsonObject(0).getString("channel");
  }

  private String teamChannel() throws IOException {
    return service.ask("login a pa").getJsonArray("channel").getJsonObject(1).getString("channel");
  }

  private Stomp stomp() throws IOException {
    return new Stomp(service.config().broker().getInteger("stompPort"));
  }

  private boolean refused(String login, String passcode, String destination) throws IOException {
    try (Stomp s = stomp()) {
      String connected = s.connect(login, passcode);
      if (!connected.startsWith("CONNECTED")) {
        return true;
      }
      return !s.subscribe(destination).startsWith("RECEIPT");
    }
  }

  private boolean publishRefused(String login, String passcode, String destination) throws IOException {
    try (Stomp s = stomp()) {
      String connected = s.connect(login, passcode);
      if (!connected.startsWith("CONNECTED")) {
        return true;
      }
      return !s.publish(destination, "{\"type\":0,\"from\":\"a\",\"to\":\"b\",\"message\":\"forged\"}")
          .startsWith("RECEIPT");
    }
  }

  @Test
  void userReadsItsOwnChannelWithItsNameAndToken() throws Exception {
    start(Map.of());
    try (Stomp s = stomp()) {
      assertTrue(s.connect("b", token(loginB)).startsWith("CONNECTED"));
      assertTrue(s.subscribe("/queue/" + personal(loginB)).startsWith("RECEIPT"));
      assertEquals("Success!", service.ask("send " + token(loginA) + " b hello over stomp").getString("message"));
      String msg = s.frame();
      assertTrue(msg.startsWith("MESSAGE"), msg);
      assertEquals(new JsonObject().put("type", 0).put("from", "a").put("to", "b").put("message", "hello over stomp"),
          new JsonObject(msg.substring(msg.indexOf("\n\n") + 2)));
    }
  }

  @Test
  void anonymousAndWrongTokensAreRefused() throws Exception {
    start(Map.of());
    try (Stomp s = stomp()) {
      assertFalse(s.connect(null, null).startsWith("CONNECTED"), "anonymous");
    }
    try (Stomp s = stomp()) {
      assertFalse(s.connect("b", "0".repeat(32)).startsWith("CONNECTED"), "a made-up token");
    }
    try (Stomp s = stomp()) {
      assertFalse(s.connect("b", token(loginA)).startsWith("CONNECTED"), "another user's token");
    }
    AmqpClient anonymous = AmqpClient.create(service.vertx(), new AmqpClientOptions().setHost("127.0.0.1")
        .setPort(service.config().broker().getInteger("amqpPort")).setConnectTimeout(5_000));
    assertThrows(Exception.class, () -> anonymous.connect()
        .compose(c -> c.createReceiver("queue://" + personal(loginA))).await(10, TimeUnit.SECONDS), "AMQP anonymous");
    anonymous.close();
  }

  @Test
  void userReadsNoOtherChannelNorAnyWildcard() throws Exception {
    start(Map.of());
    String b = token(loginB);
    assertTrue(refused("b", b, "/queue/" + personal(loginA)), "a's personal channel");
    assertTrue(refused("b", b, "/topic/" + teamChannel()), "a group b is not in");
    for (String wildcard : new String[] {"/queue/#", "/topic/#", "/queue/*", "/topic/*", "/queue/>"}) {
      assertTrue(refused("b", b, wildcard), wildcard);
    }
    assertTrue(refused("b", b, "/queue/activemq.management"), "management");
    assertTrue(refused("b", b, "/topic/activemq.notifications"), "notifications");
    assertTrue(refused("b", b, "/queue/" + BrokerPolicy.CONTROL), "fleet control");
    assertFalse(refused("a", token(loginA), "/topic/" + teamChannel()), "a reads its own group");
  }

  @Test
  void noClientPublishesAForgedDeliveryOrFleetMessage() throws Exception {
    start(Map.of());
    assertTrue(publishRefused("b", token(loginB), "/queue/" + personal(loginA)), "a forged delivery to a");
    assertTrue(publishRefused("b", token(loginB), "/queue/" + personal(loginB)), "even to oneself");
    assertTrue(publishRefused("a", token(loginA), "/topic/" + teamChannel()), "to a group");
    assertTrue(publishRefused("b", token(loginB), "/queue/" + BrokerPolicy.CONTROL), "a fleet registration");
  }

  @Test
  void loggedOutTokenNoLongerConnects() throws Exception {
    start(Map.of());
    String b = token(loginB);
    assertEquals("Bye!", service.ask("logout " + b).getString("message"));
    try (Stomp s = stomp()) {
      assertFalse(s.connect("b", b).startsWith("CONNECTED"));
    }
  }

  @Test
  void legacyClientsReadExactChannelsAnonymouslyAndNothingElse() throws Exception {
    start(Map.of("broker.legacyClients", "true"));
    try (Stomp s = stomp()) {
      assertTrue(s.connect(null, null).startsWith("CONNECTED"));
      assertTrue(s.subscribe("/queue/" + personal(loginB)).startsWith("RECEIPT"));
      service.ask("send " + token(loginA) + " b legacy");
      assertTrue(s.frame().contains("\"message\":\"legacy\""));
    }
    for (String elsewhere : new String[] {"/queue/#", "/topic/#", "/queue/activemq.management",
        "/topic/activemq.notifications", "/queue/" + BrokerPolicy.CONTROL}) {
      assertTrue(refused(null, null, elsewhere), elsewhere);
    }
    assertTrue(publishRefused(null, null, "/queue/" + personal(loginB)), "anonymous publish");
  }

  @Test
  void aWildcardSubscriberSeesNoFrameEvenWithLegacyClientsOn() throws Exception {
    start(Map.of("broker.legacyClients", "true"));
    try (Stomp s = stomp()) {
      s.connect(null, null);
      String answer = s.subscribe("/topic/#");
      if (answer.startsWith("RECEIPT")) {
        service.ask("send " + token(loginA) + " b secret");
        assertNull(s.frameWithin(1_000), "a wildcard must not see deliveries");
      }
    }
  }
}
