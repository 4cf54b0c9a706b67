package chat.client;

import chat.support.RunningService;
import org.junit.jupiter.api.AutoClose;
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
  @AutoClose
  private RunningService service;

  @Test
  void demoTestOneStartsExactlyTwoInstancesAndStopsBothAfterTheGrace() throws Exception {
    assumeTrue(Files.isDirectory(DEMO), "the reference suites are beside the project");
    service = RunningService.start(data, Map.of("fleet.provider", "local", "fleet.graceSeconds", "2"));

    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    ChatClient client = new ChatClient(new InetSocketAddress("127.0.0.1", service.loginPort()),
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
    while (!service.instances().isEmpty() && System.currentTimeMillis() < deadline) {
      Thread.sleep(200);
    }
    assertEquals(0, service.instances().size(), "both stopped once their users were deleted");
    try (var files = Files.list(data.resolve("instances"))) {
      assertEquals(0, files.filter(f -> f.toString().endsWith(".pid")).count(), "no process left");
    }
  }
}
