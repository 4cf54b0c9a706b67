package chat.support;

import chat.config.ChatConfig;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/**
 * Settings for the whole service in-process on loopback, with free ports and its own data
 * directory; {@link RunningService} starts it.
 */
public final class TestServers {
  private TestServers() { }

  public static ChatConfig config(Path dataDir, Map<String, String> overrides) throws IOException {
    JsonObject json = ChatConfig.defaults();
    json.put("host", "127.0.0.1").put("port", 0).put("dataDir", dataDir.toString());
    json.getJsonObject("broker").put("amqpPort", 0).put("stompPort", 0);
    json.getJsonObject("store").put("port", 0);
    // tests log in often: a cheap hash keeps them fast, the code path is the same
    json.getJsonObject("passwords").put("memoryKiB", 1024).put("iterations", 1);
    // application instances in this JVM unless a test asks for child processes
    json.getJsonObject("fleet").put("provider", "inprocess");
    overrides.forEach((k, v) -> ChatConfig.set(json, k, v));
    return new ChatConfig(json);
  }
}
