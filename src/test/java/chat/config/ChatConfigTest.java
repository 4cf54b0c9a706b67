package chat.config;

import chat.protocol.Limits;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The limits section: shipped defaults, the editable copy, and how settings reach it. */
class ChatConfigTest {

  @Test
  void shippedLimitsAreTheDefaultsOfTheRecord() throws Exception {
    assertEquals(Limits.DEFAULTS, new ChatConfig(ChatConfig.defaults()).limits());
  }

  @Test
  void theEditableConfigFileIsTheDefaults() throws Exception {
    assertEquals(ChatConfig.defaults(), new JsonObject(Files.readString(Path.of("config", "chat.json"))));
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
