package chat;

import chat.config.ChatConfig;
import chat.fleet.AwsDoubles;
import chat.fleet.SsmJsonApiDouble;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * How a process started with {@code CHAT_SECRETS_PARAMETER} (an EC2 instance, from its user data)
 * gets its secrets: read from Parameter Store through the real SDK, against {@link SsmJsonApiDouble}.
 */
class SecretsParameterStartTest {

  private static final String ACCESS_KEY = "AKIDINSTANCEPROFILE1";
  private static final String PARAMETER = "/chat/blue/app-1";
  private static final JsonObject SECRETS = new JsonObject()
      .put("CHAT_STORE_USER", "chat_app")
      .put("CHAT_STORE_PASSWORD", "store-pw-4b9e")
      .put("CHAT_BROKER_USER", "fleet")
      .put("CHAT_BROKER_PASSWORD", "broker-pw-e07a")
      .put("CHAT_INSTANCE_SECRET", "instance-secret-c3d1");

  @RegisterExtension
  final AwsDoubles aws = new AwsDoubles(ACCESS_KEY);

  @Test
  void parameterEntriesReachTheConfigurationAsEnvironmentVariables() throws Exception {
    aws.ssm().preload(PARAMETER, "SecureString", SECRETS.encode());
    Map<String, String> env = Map.of(
        "CHAT_SECRETS_PARAMETER", PARAMETER,
        "CHAT_SSM_ENDPOINT", aws.ssm().endpoint().toString(),
        "CHAT_STORE_PASSWORD", "stale-from-the-image",
        "CHAT_CAPACITY", "7");
    ChatConfig config = ChatConfig.load(null, env, Main.parameterSecrets(env), Map.of());

    JsonObject json = config.json();
    assertEquals("chat_app", json.getJsonObject("store").getString("user"));
    assertEquals("store-pw-4b9e", json.getJsonObject("store").getString("password"), "the parameter wins");
    assertEquals("fleet", json.getJsonObject("broker").getString("user"));
    assertEquals("broker-pw-e07a", json.getJsonObject("broker").getString("password"));
    assertEquals("instance-secret-c3d1", json.getJsonObject("app").getString("instanceSecret"));
    assertEquals(7, json.getJsonObject("fleet").getInteger("capacity"), "the rest of the environment still counts");

    List<SsmJsonApiDouble.Call> gets = aws.ssm().calls("GetParameter");
    assertEquals(1, gets.size());
    assertEquals(PARAMETER, gets.get(0).body().getString("Name"));
    assertEquals(Boolean.TRUE, gets.get(0).body().getBoolean("WithDecryption"));
    assertEquals(ACCESS_KEY, gets.get(0).accessKeyId(), "signed with the default chain's credentials");
  }

  @Test
  void withoutAParameterNothingIsRead() {
    Map<String, String> env = Map.of("CHAT_SSM_ENDPOINT", aws.ssm().endpoint().toString(), "CHAT_STORE_PASSWORD", "pw");
    assertEquals(Map.of(), Main.parameterSecrets(env));
    assertEquals(List.of(), aws.ssm().calls());
  }

  @Test
  void refusedOrUnreadableParameterIsAClearErrorThatQuotesNoValue() {
    Map<String, String> env = Map.of("CHAT_SECRETS_PARAMETER", PARAMETER,
        "CHAT_SSM_ENDPOINT", aws.ssm().endpoint().toString());
    aws.ssm().preload(PARAMETER, "SecureString", "s3cret-but-not-json");

    aws.ssm().failNext("GetParameter", 400, "AccessDeniedException",
        "User is not authorized to perform: ssm:GetParameter");
    IllegalStateException denied = assertThrows(IllegalStateException.class, () -> Main.parameterSecrets(env));
    assertTrue(denied.getMessage().startsWith("cannot read the secrets parameter " + PARAMETER + ": AccessDeniedException"),
        denied.getMessage());

    IllegalStateException garbled = assertThrows(IllegalStateException.class, () -> Main.parameterSecrets(env));
    assertEquals("the secrets parameter " + PARAMETER + " is not a JSON object", garbled.getMessage());
    assertFalse(String.valueOf(garbled.getCause()).contains("s3cret"), "the cause quotes no value");

    aws.ssm().preload(PARAMETER, "SecureString", new JsonObject().put("CHAT_STORE_PASSWORD", 12345).encode());
    IllegalStateException typed = assertThrows(IllegalStateException.class, () -> Main.parameterSecrets(env));
    assertFalse(typed.getMessage().contains("12345"), typed.getMessage());
  }

  @Test
  void appRoleStopsStartUpWhenItsSecretsParameterCannotBeRead(@TempDir Path dir) throws Exception {
    ProcessBuilder pb = new ProcessBuilder(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx128m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
        "-cp", System.getProperty("java.class.path"), "chat.Main",
        "--role=app", "--host", "127.0.0.1", "--port", "0", "--data-dir", dir.resolve("data").toString(),
        "--broker-url=amqp://127.0.0.1:1", "--store-url=jdbc:hsqldb:hsql://127.0.0.1:1/chat")
        .redirectErrorStream(true)
        .redirectOutput(dir.resolve("out.log").toFile());
    Map<String, String> env = pb.environment();
    // what an instance profile and the user data's AWS_REGION give on EC2
    aws.instanceEnvironment(env, ACCESS_KEY, dir);
    env.put("AWS_REGION", AwsDoubles.REGION);
    env.put("CHAT_SECRETS_PARAMETER", "/chat/blue/app-missing");
    Process process = pb.start();
    try {
      assertTrue(process.waitFor(60, TimeUnit.SECONDS), "the process did not stop");
    } finally {
      process.destroyForcibly();
    }
    String out = java.nio.file.Files.readString(dir.resolve("out.log"), StandardCharsets.UTF_8);
    assertEquals(1, process.exitValue(), out);
    assertTrue(out.contains("start failed: cannot read the secrets parameter /chat/blue/app-missing: ParameterNotFound"),
        out);
    assertFalse(out.contains("starting role"), "nothing started without the secrets:\n" + out);
    assertEquals(1, aws.ssm().calls("GetParameter").size());
  }
}
