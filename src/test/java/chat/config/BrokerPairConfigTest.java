package chat.config;

import chat.messaging.BrokerOptions;
import chat.messaging.BrokerPair;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The settings of a broker pair: what they make of the broker, and what they refuse. */
class BrokerPairConfigTest {
  @TempDir
  Path data;

  private ChatConfig load(Map<String, String> env, Map<String, String> flags) throws Exception {
    Map<String, String> all = new java.util.HashMap<>(flags);
    all.put("dataDir", data.toString());
    // no file: the defaults, then the environment, then the flags
    Path empty = data.resolve("chat.json");
    Files.writeString(empty, "{}");
    return ChatConfig.load(empty, env, all);
  }

  @Test
  void aSingleEmbeddedBrokerStaysTheDefault() throws Exception {
    BrokerOptions broker = load(Map.of(), Map.of()).brokerOptions();
    assertTrue(broker.embedded());
    assertFalse(broker.pair().enabled());
    assertEquals(List.of("amqp://127.0.0.1:5672"), broker.urls());
  }

  @Test
  void aPairMemberIsEmbeddedAndKnowsEveryBroker() throws Exception {
    ChatConfig config = load(Map.of("CHAT_BROKER_CLUSTER_PASSWORD", "from-the-environment"),
        Map.of("broker.ha", "backup", "broker.url", "amqp://10.0.0.1:5672, amqp://10.0.0.2:5672",
            "broker.peer", "10.0.0.1:61617", "broker.clusterHost", "10.0.0.2"));
    BrokerOptions broker = config.brokerOptions();
    assertTrue(broker.embedded(), "one of a pair embeds its broker though its URL names the pair");
    assertEquals(List.of("amqp://10.0.0.1:5672", "amqp://10.0.0.2:5672"), broker.urls());
    assertEquals(BrokerPair.Role.BACKUP, broker.pair().role());
    assertEquals("10.0.0.1:61617", broker.pair().peer());
    assertEquals("from-the-environment", broker.pair().clusterPassword());
    assertFalse(broker.toString().contains("from-the-environment"));
    assertFalse(config.masked().contains("from-the-environment"), "the cluster password is a secret");
  }

  @Test
  void aPairWithOneBrokerURLIsRefused() throws Exception {
    ChatConfig config = load(Map.of(), Map.of("broker.ha", "primary", "broker.url", "amqp://10.0.0.1:5672"));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, config::brokerOptions);
    assertTrue(e.getMessage().contains("both brokers"), e.getMessage());
    ChatConfig none = load(Map.of(), Map.of("broker.ha", "primary"));
    assertThrows(IllegalArgumentException.class, none::brokerOptions);
  }

  @Test
  void anUnknownRoleIsRefused() throws Exception {
    ChatConfig config = load(Map.of(), Map.of("broker.ha", "leader"));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, config::brokerOptions);
    assertTrue(e.getMessage().contains("none, primary or backup"), e.getMessage());
  }

  @Test
  void thePairsClusterPasswordIsGeneratedOwnerOnlyWhenNotGiven() throws Exception {
    ChatConfig config = load(Map.of(), Map.of("broker.ha", "primary", "broker.peer", "127.0.0.1:61618",
        "broker.url", "amqp://127.0.0.1:5672,amqp://127.0.0.1:5673")).withServiceSecrets();
    String password = config.brokerPair().clusterPassword();
    assertFalse(password.isEmpty());
    Path file = data.resolve("secrets").resolve("broker-cluster");
    assertEquals(password, Files.readString(file).trim());
    assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(
        Files.getPosixFilePermissions(file)));
    ChatConfig single = load(Map.of(), Map.of()).withServiceSecrets();
    assertEquals("", single.broker().getString("clusterPassword"));
  }
}
