package chat;

import chat.config.ChatConfig;
import chat.ops.Metrics;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.Test;

import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Every role runs its connections on the native transport where the jar carries it (epoll, Linux on x86-64). */
class NativeTransportTest {

  @Test
  void everyRoleAsksForTheNativeTransport() throws Exception {
    ChatConfig config = ChatConfig.load(null, Map.of(), Map.of());
    for (ChatServer.Role role : ChatServer.Role.values()) {
      assertTrue(Main.vertxOptions(config, role).getPreferNativeTransport(), role.name());
    }
  }

  @Test
  void onLinuxX86TheServiceRunsOnEpoll() throws Exception {
    String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
    String arch = System.getProperty("os.arch", "");
    assumeTrue(os.contains("linux") && (arch.equals("amd64") || arch.equals("x86_64")),
        "the jar carries the native transport for Linux on x86-64 only");
    Vertx vertx = Metrics.vertx(Main.vertxOptions(ChatConfig.load(null, Map.of(), Map.of()), ChatServer.Role.APP));
    try {
      assertTrue(vertx.isNativeTransportEnabled(), String.valueOf(vertx.unavailableNativeTransportCause()));
    } finally {
      vertx.close().await(10, TimeUnit.SECONDS);
    }
  }
}
