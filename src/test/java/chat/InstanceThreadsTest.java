package chat;

import chat.config.ChatConfig;
import io.vertx.core.VertxOptions;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The threads of an application instance ({@code app.eventLoopThreads}, {@code app.workerThreads}). */
class InstanceThreadsTest {

  @Test
  void anApplicationInstanceRunsTheConfiguredThreads() throws Exception {
    VertxOptions options = Main.vertxOptions(ChatConfig.load(null, Map.of(), Map.of()), ChatServer.Role.APP);
    assertEquals(2, options.getEventLoopPoolSize());
    assertEquals(8, options.getWorkerPoolSize());
  }

  @Test
  void zeroLeavesVertxDefaults() throws Exception {
    ChatConfig config = ChatConfig.load(null, Map.of(),
        Map.of("app.eventLoopThreads", "0", "app.workerThreads", "0"));
    VertxOptions options = Main.vertxOptions(config, ChatServer.Role.APP);
    assertEquals(VertxOptions.DEFAULT_EVENT_LOOP_POOL_SIZE, options.getEventLoopPoolSize());
    assertEquals(VertxOptions.DEFAULT_WORKER_POOL_SIZE, options.getWorkerPoolSize());
  }

  @Test
  void theLoginRoleKeepsVertxDefaults() throws Exception {
    VertxOptions options = Main.vertxOptions(ChatConfig.load(null, Map.of(), Map.of()), ChatServer.Role.ALL);
    assertEquals(VertxOptions.DEFAULT_WORKER_POOL_SIZE, options.getWorkerPoolSize());
    assertEquals(VertxOptions.DEFAULT_EVENT_LOOP_POOL_SIZE, options.getEventLoopPoolSize());
  }
}
