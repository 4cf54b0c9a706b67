package chat;

import chat.config.ChatConfig;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** {@code fleet.jvmOptions}: the JVM options of local application instances. */
class InstanceJvmOptionsTest {

  @Test
  void theDefaultsAreAListOfOptions() throws Exception {
    List<String> options = ChatServer.jvmOptions(ChatConfig.load(null, Map.of(), Map.of()).fleet().getValue("jvmOptions"));
    assertEquals(true, options.contains("-XX:+UseSerialGC"), options.toString());
  }

  @Test
  void aSetOnTheCommandLineIsSplitAtSpaces() throws Exception {
    ChatConfig config = ChatConfig.load(null, Map.of(), Map.of("fleet.jvmOptions", " -Xmx40m  -Xss256k "));
    assertEquals(List.of("-Xmx40m", "-Xss256k"), ChatServer.jvmOptions(config.fleet().getValue("jvmOptions")));
  }

  @Test
  void anEmptySettingMeansNoOptions() throws Exception {
    ChatConfig config = ChatConfig.load(null, Map.of(), Map.of("fleet.jvmOptions", ""));
    assertEquals(List.of(), ChatServer.jvmOptions(config.fleet().getValue("jvmOptions")));
  }
}
