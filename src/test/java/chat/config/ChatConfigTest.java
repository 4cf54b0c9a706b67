package chat.config;

import chat.Main;
import chat.ops.Metrics;
import chat.protocol.Limits;
import io.vertx.config.ConfigStoreOptions;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
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

  /** A probe closes its socket at once: the same free port must not be handed to two listeners of one process. */
  @Test
  void freePortsOfOneConfigurationAreAllDifferentEvenWhenTheSamePortIsProposedAgain() throws Exception {
    int[] free = new int[3];
    for (int i = 0; i < free.length; i++) {
      try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
        free[i] = s.getLocalPort();
      }
    }
    // proposes each free port three times in a row, then the next
    int[] proposed = {free[0], free[0], free[0], free[1], free[1], free[1], free[2], free[2], free[2]};
    java.util.concurrent.atomic.AtomicInteger next = new java.util.concurrent.atomic.AtomicInteger();
    ChatConfig config = new ChatConfig(ChatConfig.defaults());
    config.json().getJsonObject("store").put("port", 0);
    config.json().getJsonObject("broker").put("amqpPort", 0).put("stompPort", 0);
    config.withFreePorts(() -> proposed[next.getAndIncrement() % proposed.length]);
    java.util.Set<Integer> ports = new java.util.HashSet<>(java.util.List.of(config.broker().getInteger("amqpPort"),
        config.broker().getInteger("stompPort"), config.store().getInteger("port"),
        config.broker().getInteger("clusterPort")));
    assertEquals(4, ports.size(), "every listener a port of its own: " + ports);
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

  @Test
  void eachLayerOverridesTheOneBefore(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("chat.json");
    Files.writeString(file, "{\"port\": 1111, \"dataDir\": \"from-file\", \"fleet\": {\"capacity\": 3, \"graceSeconds\": 4},"
        + " \"wire\": {\"idleSeconds\": 7}}");
    ChatConfig config = ChatConfig.load(file,
        Map.of("CHAT_DATA_DIR", "from-env", "CHAT_FLEET_CAPACITY", "5", "CHAT_WIRE_IDLE_SECONDS", "8"),
        Map.of("dataDir", "from-flag", "wire.idleSeconds", "9"));
    JsonObject json = config.json();
    assertEquals("0.0.0.0", config.host(), "the defaults, where nothing else speaks");
    assertEquals(1111, config.port(), "the file over the defaults");
    assertEquals(4, config.fleet().getInteger("graceSeconds"), "the file over the defaults, in a section");
    assertEquals(5, config.fleet().getInteger("capacity"), "the environment over the file");
    assertEquals("from-flag", json.getString("dataDir"), "the flags over the environment");
    assertEquals(9, json.getJsonObject("wire").getInteger("idleSeconds"), "the flags over the environment");
    assertEquals(ChatConfig.defaults().getJsonObject("fleet").getInteger("warmSpares"),
        config.fleet().getInteger("warmSpares"), "a section the file names keeps the defaults it does not");
  }

  @Test
  void everyKeyOfTheDefaultsHasOneVariableByTheRuleAndBack() {
    JsonObject defaults = ChatConfig.defaults();
    List<String> keys = EnvSettings.keys(defaults);
    Map<String, String> variables = EnvSettings.variables(defaults);
    Set<String> names = new HashSet<>();
    for (String key : keys) {
      String name = EnvSettings.name(key);
      assertTrue(name.matches("CHAT_[A-Z0-9]+(_[A-Z0-9]+)*"), name);
      assertTrue(names.add(name), "two keys share " + name);
      assertEquals(key, variables.get(name), name + " sets " + key);
    }
    assertEquals(keys.size() + EnvSettings.ALIASES.size(), variables.size(), "no alias is also a rule's name");
    assertEquals("CHAT_FLEET_GRACE_SECONDS", EnvSettings.name("fleet.graceSeconds"));
    assertEquals("CHAT_STORE_APP_PASSWORD", EnvSettings.name("store.appPassword"));
    assertEquals("CHAT_DATA_DIR", EnvSettings.name("dataDir"));
    assertEquals("CHAT_FLEET_LOAD_TARGET_CPU", EnvSettings.name("fleet.load.targetCpu"));
    assertEquals("CHAT_FLEET_EC2_SECURITY_GROUP_IDS", EnvSettings.name("fleet.ec2.securityGroupIds"));
    assertEquals(ChatConfig.LIMITS_ENV, EnvSettings.name("limits"), "the limits section's variable follows the rule");
  }

  @Test
  void everyVariableOfTheEnvironmentSetsItsKeyInTheTypeOfItsDefault() {
    JsonObject defaults = ChatConfig.defaults();
    Map<String, String> env = new LinkedHashMap<>();
    Map<String, Object> expected = new LinkedHashMap<>();
    for (String key : EnvSettings.keys(defaults)) {
      Object standard = ChatConfig.valueAt(defaults, key);
      Object value;
      String text;
      if (standard instanceof JsonObject) {
        continue; // a section: see limitsComeFromTheLoginRoleThenFlags
      } else if (standard instanceof Double) {
        value = 0.25;
        text = "0.25";
      } else if (standard instanceof Number) {
        value = 7L;
        text = "7";
      } else if (standard instanceof Boolean b) {
        value = !b;
        text = String.valueOf(!b);
      } else if (standard instanceof JsonArray) {
        value = new JsonArray().add("a").add("b");
        text = "[\"a\", \"b\"]";
      } else {
        value = "text-of-" + key;
        text = (String) value;
      }
      env.put(EnvSettings.name(key), text);
      expected.put(key, value);
    }
    JsonObject json = ChatConfig.load(null, env, Map.of()).json();
    expected.forEach((key, value) -> {
      Object got = ChatConfig.valueAt(json, key);
      if (value instanceof Number n && got instanceof Number g) {
        assertEquals(n.doubleValue(), g.doubleValue(), key);
      } else {
        assertEquals(value, got, key);
      }
    });
  }

  @Test
  void typedValuesFromTheEnvironmentLandTyped() {
    ChatConfig config = ChatConfig.load(null, Map.of(
        "CHAT_FLEET_GRACE_SECONDS", "5",
        "CHAT_TLS_ENABLED", "true",
        "CHAT_TLS_ALT_NAMES", "[\"chat.internal\", \"10.0.0.5\"]",
        "CHAT_FLEET_LOAD_TARGET_CPU", "0.5",
        "CHAT_FLEET_JVM_OPTIONS", "-Xmx40m -Xss256k"), Map.of());
    assertInstanceOf(Number.class, config.fleet().getValue("graceSeconds"));
    assertEquals(5, config.fleet().getInteger("graceSeconds"));
    assertEquals(Boolean.TRUE, config.tls().getValue("enabled"));
    assertEquals(new JsonArray().add("chat.internal").add("10.0.0.5"), config.tls().getValue("altNames"));
    assertEquals(0.5, config.fleet().getJsonObject("load").getDouble("targetCpu"));
    assertEquals("-Xmx40m -Xss256k", config.fleet().getValue("jvmOptions"), "a list also takes one text");
  }

  @Test
  void theOlderNamesStillWorkAndTheRuleNameWinsOverItsAlias() {
    ChatConfig config = ChatConfig.load(null, Map.of(
        "CHAT_PROVIDER", "inprocess",
        "CHAT_CAPACITY", "3",
        "CHAT_INSTANCE_SECRET", "instance-secret-1",
        "CHAT_TOKEN_SECRET", "token-secret-1"), Map.of());
    assertEquals("inprocess", config.fleet().getString("provider"));
    assertEquals(3, config.fleet().getInteger("capacity"));
    assertEquals("instance-secret-1", config.app().getString("instanceSecret"));
    assertEquals("token-secret-1", config.tokens().getString("secret"));
    for (Map.Entry<String, String> alias : EnvSettings.ALIASES.entrySet()) {
      assertFalse(alias.getKey().equals(EnvSettings.name(alias.getValue())), alias.getKey() + " is no alias");
    }

    ChatConfig both = ChatConfig.load(null, Map.of("CHAT_CAPACITY", "3", "CHAT_FLEET_CAPACITY", "6"), Map.of());
    assertEquals(6, both.fleet().getInteger("capacity"));
  }

  @Test
  void otherVariablesWithThePrefixAndEmptyOnesChangeNothing() throws Exception {
    ChatConfig config = ChatConfig.load(null, Map.of(
        "CHAT_JAR", "/opt/chat/chat.jar",
        "CHAT_ADVERTISE_HOST", "10.0.0.5",
        "CHAT_NO_SUCH_SETTING", "1",
        "CHAT_SECRETS_PARAMETER", "",
        "CHAT_FLEET_CAPACITY", ""), Map.of());
    assertEquals(ChatConfig.defaults(), config.json());
  }

  @Test
  void aSettingOfTheWrongTypeIsAClearErrorThatQuotesNoValue() {
    IllegalArgumentException port = assertThrows(IllegalArgumentException.class,
        () -> ChatConfig.load(null, Map.of("CHAT_PORT", "eighty-80"), Map.of()));
    assertEquals("CHAT_PORT must be a number", port.getMessage());
    IllegalArgumentException limits = assertThrows(IllegalArgumentException.class,
        () -> ChatConfig.load(null, Map.of("CHAT_LIMITS", "{maxPostsPerUser: s3cret"), Map.of()));
    assertEquals("CHAT_LIMITS must be a JSON object", limits.getMessage());
    IllegalArgumentException flag = assertThrows(IllegalArgumentException.class,
        () -> ChatConfig.load(null, Map.of(), Map.of("fleet.capacity", "many")));
    assertEquals("fleet.capacity must be a number", flag.getMessage());
  }

  @Test
  void aMissingDefaultFileIsFine(@TempDir Path dir) {
    ChatConfig config = ChatConfig.load(null, dir.resolve("chat.json"), List.of(EnvSettings.store(Map.of())), Map.of());
    assertEquals(ChatConfig.defaults(), config.json());
  }

  @Test
  void aNamedFileThatIsMissingIsAClearError(@TempDir Path dir) {
    Path missing = dir.resolve("missing.json");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> ChatConfig.load(missing, Map.of(), Map.of()));
    assertEquals("configuration file " + missing + " cannot be read (no such file)", e.getMessage());
  }

  @Test
  void aMalformedFileIsAClearErrorThatQuotesNothingOfIt(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("chat.json");
    Files.writeString(file, "{\"store\": {\n  \"password\": hunter2-s3cret}}");
    for (Path named : new Path[] {file, null}) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> ChatConfig.load(named, file, List.of(EnvSettings.store(Map.of())), Map.of()));
      assertTrue(e.getMessage().startsWith("configuration file " + file + " is not valid JSON (line 2"), e.getMessage());
      assertFalse(e.getMessage().contains("hunter2"), e.getMessage());
    }
  }

  /** The login role reads its configuration on its own Vert.x (chat.Main): the same layers, the same errors, and the Vert.x stays open. */
  @Test
  void aGivenVertxReadsTheSameLayersGivesTheSameErrorsAndIsLeftOpen(@TempDir Path dir) throws Exception {
    Vertx vertx = Metrics.vertx(Main.baseVertxOptions());
    try {
      Path file = dir.resolve("chat.json");
      Files.writeString(file, "{\"port\": 1111, \"fleet\": {\"capacity\": 3}}");
      List<ConfigStoreOptions> env = List.of(EnvSettings.store(Map.of("CHAT_FLEET_CAPACITY", "5")));
      Map<String, String> flags = Map.of("dataDir", "from-flag");
      assertEquals(ChatConfig.load(file, file, env, flags).json(), ChatConfig.load(file, file, env, flags, vertx).json());
      assertEquals(5, ChatConfig.load(file, file, env, flags, vertx).fleet().getInteger("capacity"));

      Path missing = dir.resolve("missing.json");
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> ChatConfig.load(missing, missing, env, flags, vertx));
      assertEquals("configuration file " + missing + " cannot be read (no such file)", e.getMessage());
      Files.writeString(file, "{\"store\": {\n  \"password\": hunter2-s3cret}}");
      e = assertThrows(IllegalArgumentException.class, () -> ChatConfig.load(file, file, env, flags, vertx));
      assertTrue(e.getMessage().startsWith("configuration file " + file + " is not valid JSON (line 2"), e.getMessage());

      assertEquals("still open", vertx.executeBlocking(() -> "still open").await(10, TimeUnit.SECONDS));
    } finally {
      vertx.close().await(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void secretsAreMaskedWhateverLayerGivesThem(@TempDir Path dir) throws Exception {
    JsonObject fileJson = new JsonObject();
    Map<String, String> byRule = new LinkedHashMap<>();
    Map<String, String> flags = new LinkedHashMap<>();
    for (String key : ChatConfig.secretKeys()) {
      assertNotNull(ChatConfig.valueAt(ChatConfig.defaults(), key), key + " has a default, hence a variable");
      ChatConfig.put(fileJson, key, "file-" + key);
      byRule.put(EnvSettings.name(key), "env-" + key);
      flags.put(key, "flag-" + key);
    }
    Map<String, String> byAlias = new LinkedHashMap<>();
    EnvSettings.ALIASES.forEach((name, key) -> {
      if (ChatConfig.secretKeys().contains(key)) {
        byAlias.put(name, "alias-" + key);
      }
    });
    assertEquals(2, byAlias.size(), "the instance's secret and the tokens' secret");
    Path file = dir.resolve("chat.json");
    Files.writeString(file, fileJson.encode());

    List<ChatConfig> configs = List.of(
        ChatConfig.load(file, Map.of(), Map.of()),
        ChatConfig.load(null, byRule, Map.of()),
        ChatConfig.load(null, byAlias, Map.of()),
        ChatConfig.load(null, Map.of("CHAT_STORE", "{\"password\": \"section-store.password\"}"), Map.of()),
        ChatConfig.loadFromProcess(null, byRule, Map.of()),
        ChatConfig.load(null, Map.of(), flags));
    Pattern given = Pattern.compile("(file|env|alias|section|flag)-[a-zA-Z.]+");
    for (ChatConfig config : configs) {
      String logged = config.masked();
      assertFalse(given.matcher(logged).find(), logged);
    }
    JsonObject masked = new JsonObject(configs.get(1).masked());
    for (String key : ChatConfig.secretKeys()) {
      assertEquals("****", ChatConfig.valueAt(masked, key), key);
    }
  }

  @Test
  void theProcessEnvironmentIsReadByTheEnvStoreThenTheSecretsParameterThenFlags() {
    ConfigStoreOptions store = EnvSettings.processStore(ChatConfig.defaults());
    assertEquals("env", store.getType());
    assertEquals(EnvSettings.FORMAT, store.getFormat());
    assertEquals(Boolean.TRUE, store.getConfig().getBoolean("raw-data"), "values are typed by the defaults");
    List<?> keys = store.getConfig().getJsonArray("keys").getList();
    assertTrue(keys.containsAll(List.of("CHAT_LIMITS", "CHAT_FLEET_GRACE_SECONDS", "CHAT_CAPACITY")), "only its names");
    assertFalse(keys.contains("CHAT_JAR"));

    ChatConfig config = ChatConfig.loadFromProcess(null,
        Map.of("CHAT_FLEET_CAPACITY", "6", "CHAT_FLEET_GRACE_SECONDS", "2"), Map.of("fleet.graceSeconds", "3"));
    assertEquals(6, config.fleet().getInteger("capacity"));
    assertEquals(3, config.fleet().getInteger("graceSeconds"));
  }

  /** The table of keys in docs/CONFIGURATION.md, made from the defaults: it cannot go stale. */
  @Test
  void theDocumentedTableListsEveryKeyWithItsVariableAndDefault() throws Exception {
    String doc = Files.readString(Path.of("docs", "CONFIGURATION.md"));
    String begin = "<!-- keys: begin -->\n";
    String end = "<!-- keys: end -->";
    assertTrue(doc.contains(begin) && doc.contains(end), "docs/CONFIGURATION.md marks its table");
    String table = doc.substring(doc.indexOf(begin) + begin.length(), doc.indexOf(end));
    JsonObject defaults = ChatConfig.defaults();
    StringBuilder expected = new StringBuilder("| key | variable | default |\n|---|---|---|\n");
    for (String key : EnvSettings.keys(defaults)) {
      Object value = ChatConfig.valueAt(defaults, key);
      String shown = value instanceof JsonObject ? "section (a JSON object)"
          : "`" + (value instanceof String text ? "\"" + text + "\"" : String.valueOf(value)) + "`"
          + (ChatConfig.secretKeys().contains(key) ? " (secret)" : "");
      expected.append("| `").append(key).append("` | `").append(EnvSettings.name(key)).append("` | ").append(shown)
          .append(" |\n");
    }
    assertEquals(expected.toString(), table, "the table, made anew from the defaults:\n" + expected);
  }
}
