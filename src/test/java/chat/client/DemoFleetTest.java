package chat.client;

import chat.ChatServer;
import chat.config.ChatConfig;
import chat.fleet.FleetVerticle;
import chat.support.TestServers;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The first test of the distributed demo through the real client, with application servers
 * as real child processes: twelve users need exactly two instances, and once the users are
 * deleted both are stopped after the grace period.
 */
class DemoFleetTest {
  private static final Path DEMO = Path.of("..", "shared", "conformance", "nctu2018-demo");
  @TempDir
  Path data;
  private final Vertx vertx = Vertx.vertx();
  private ChatServer server;

  @AfterEach
  void tearDown() throws Exception {
    if (server != null) {
      server.close().await(60, TimeUnit.SECONDS);
    }
    vertx.close().await(30, TimeUnit.SECONDS);
  }

  @Test
  void demoTestOneStartsExactlyTwoInstancesAndStopsBothAfterTheGrace() throws Exception {
    assumeTrue(Files.isDirectory(DEMO), "the reference suites are beside the project");
    ChatConfig config = TestServers.config(data, Map.of("fleet.provider", "local", "fleet.graceSeconds", "2"));
    server = ChatServer.start(vertx, config, ChatServer.Role.ALL).await(60, TimeUnit.SECONDS);

    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    ChatClient client = new ChatClient(new InetSocketAddress("127.0.0.1", server.loginPort()),
        new PrintStream(printed, true, StandardCharsets.UTF_8));
    try (InputStream in = Files.newInputStream(DEMO.resolve("test1.in.txt"))) {
      client.run(in);
    }
    assertEquals(Files.readAllLines(DEMO.resolve("answer1.expected.txt")),
        printed.toString(StandardCharsets.UTF_8).lines().toList());

    List<Path> started;
    try (var files = Files.list(data.resolve("instances"))) {
      started = files.filter(f -> f.toString().endsWith(".log")).toList();
    }
    assertEquals(2, started.size(), "twelve users, ten per instance: two instances " + started);

    long deadline = System.currentTimeMillis() + 15_000;
    while (!instances().isEmpty() && System.currentTimeMillis() < deadline) {
      Thread.sleep(200);
    }
    assertEquals(0, instances().size(), "both stopped once their users were deleted");
    try (var files = Files.list(data.resolve("instances"))) {
      assertEquals(0, files.filter(f -> f.toString().endsWith(".pid")).count(), "no process left");
    }
  }

  private io.vertx.core.json.JsonArray instances() throws Exception {
    return vertx.eventBus().<JsonObject>request(FleetVerticle.SNAPSHOT, null).await(10, TimeUnit.SECONDS)
        .body().getJsonArray("instances");
  }
}
