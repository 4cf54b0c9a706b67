package chat.config;

import chat.protocol.Limits;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The layers and the logged form of the configuration: secrets, and the limits section. */
class ChatConfigTest {

  @Test
  void brokerCredentialsAndTheInstanceSecretComeFromTheEnvironment() throws Exception {
    ChatConfig config = ChatConfig.load(null, Map.of(
        "CHAT_BROKER_USER", "fleet",
        "CHAT_BROKER_PASSWORD", "broker-pw-7c1d",
        "CHAT_INSTANCE_SECRET", "instance-secret-93ab"), Map.of());
    JsonObject json = config.json();
    assertEquals("fleet", json.getJsonObject("broker").getString("user"));
    assertEquals("broker-pw-7c1d", json.getJsonObject("broker").getString("password"));
    assertEquals("instance-secret-93ab", json.getJsonObject("app").getString("instanceSecret"));
  }

  @Test
  void freePortsAreChosenBelowTheEphemeralRangeWhereNoOutgoingConnectionTakesThem() throws Exception {
    int low = Integer.parseInt(Files.readAllLines(Path.of("/proc/sys/net/ipv4/ip_local_port_range")).get(0)
        .trim().split("\\s+")[0]);
    for (int i = 0; i < 20; i++) {
      ChatConfig config = new ChatConfig(ChatConfig.defaults());
      config.json().getJsonObject("store").put("port", 0);
      config.json().getJsonObject("broker").put("amqpPort", 0).put("stompPort", 0);
      config.withFreePorts();
      for (int port : new int[] {config.store().getInteger("port"), config.broker().getInteger("amqpPort"),
          config.broker().getInteger("stompPort")}) {
        assertTrue(port >= 1024 && port < low, port + " is below " + low + " and not privileged");
      }
    }
  }

  @Test
  void maskedHidesEveryPasswordAndSecret() throws Exception {
    ChatConfig config = ChatConfig.load(null, Map.of(
        "CHAT_STORE_PASSWORD", "store-pw-55e0",
        "CHAT_BROKER_USER", "fleet",
        "CHAT_BROKER_PASSWORD", "broker-pw-7c1d",
        "CHAT_INSTANCE_SECRET", "instance-secret-93ab",
        "CHAT_BROKER_URL", "amqp://fleet:url-pw-0f2b@broker.internal:5672"), Map.of());
    String logged = config.masked();
    for (String secret : new String[] {"store-pw-55e0", "broker-pw-7c1d", "instance-secret-93ab", "url-pw-0f2b"}) {
      assertFalse(logged.contains(secret), "logged: " + secret);
    }
    JsonObject masked = new JsonObject(logged);
    assertEquals("****", masked.getJsonObject("broker").getString("password"));
    assertEquals("****", masked.getJsonObject("app").getString("instanceSecret"));
    assertEquals("fleet", masked.getJsonObject("broker").getString("user"), "a user name is no secret");
    assertEquals("amqp://fleet:****@broker.internal:5672", masked.getJsonObject("broker").getString("url"));
  }

  @Test
  void secretSettingsDefaultToEmptyInTheDefaultsAndTheEditableCopyAlike() throws Exception {
    JsonObject defaults = ChatConfig.defaults();
    JsonObject editable = new JsonObject(Files.readString(Path.of("config", "chat.json")));
    assertEquals(defaults, editable, "config/chat.json is the editable copy of the defaults");
    assertEquals("", defaults.getJsonObject("broker").getString("user"));
    assertEquals("", defaults.getJsonObject("broker").getString("password"));
    assertEquals("", defaults.getJsonObject("app").getString("instanceSecret"));
    assertEquals("chat", defaults.getJsonObject("fleet").getJsonObject("ec2").getString("secretsPrefix"));
    assertEquals("", defaults.getJsonObject("fleet").getJsonObject("ec2").getString("secretsKmsKeyId"));
    assertTrue(defaults.getJsonObject("fleet").getJsonObject("ec2").containsKey("secretsKmsKeyId"));
  }

  @Test
  void shippedLimitsAreTheDefaultsOfTheRecord() throws Exception {
    assertEquals(Limits.DEFAULTS, new ChatConfig(ChatConfig.defaults()).limits());
  }

  @Test
  void limitsComeFromTheLoginRoleThenFlags() throws Exception {
    ChatConfig c = ChatConfig.load(null, Map.of(ChatConfig.LIMITS_ENV, "{\"maxPostsPerUser\": 5, \"safeNames\": false}"),
        Map.of("limits.writesPerSecond", "0"));
    Limits l = c.limits();
    assertEquals(5, l.maxPostsPerUser());
    assertEquals(false, l.safeNames());
    assertEquals(false, l.rateLimited());
    assertEquals(Limits.DEFAULTS.maxFeedPosts(), l.maxFeedPosts(), "what is not given keeps its default");
  }
}
