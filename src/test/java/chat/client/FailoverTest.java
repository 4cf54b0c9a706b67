package chat.client;

import chat.support.RunningService;
import io.vertx.core.json.JsonArray;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/**
 * Real child processes of the local provider, the real client: killing the instance a user
 * is on costs that user no failed command, and nothing stored is lost.
 */
class FailoverTest {
  @TempDir
  Path data;
  @AutoClose
  private RunningService service;

  @Test
  void killingAnInstanceCostsItsUsersNoFailedCommand() throws Exception {
    service = RunningService.start(data, Map.of("fleet.provider", "local", "fleet.lostAfterMillis", "3000"));

    ClientHarness client = new ClientHarness(service.loginPort());

    client.type("register ann pa", "register bob pb", "login ann pa", "login bob pb", "invite ann bob",
        "accept-invite bob ann", "post ann before the crash");
    client.awaitLines(7, 60_000);

    JsonArray before = service.instances();
    assertEquals(1, before.size());
    long pid = Long.parseLong(before.getJsonObject(0).getString("provider"));
    ProcessHandle.of(pid).orElseThrow().destroyForcibly();
    ProcessHandle.of(pid).ifPresent(h -> h.onExit().join());

    client.type("receive-post bob", "send ann bob still here", "list-friend ann");
    List<String> lines = client.exit(90_000);
    assertEquals(List.of("Success!", "Success!", "Success!", "Success!", "Success!", "Success!", "Success!",
        "ann: before the crash", "Success!", "<<<ann->bob: still here>>>", "bob"), lines);

    JsonArray after = service.instances();
    assertEquals(1, after.size(), after.encode());
    assertNotEquals(before.getJsonObject(0).getString("id"), after.getJsonObject(0).getString("id"));
    assertEquals(2, after.getJsonObject(0).getInteger("users"));
  }
}
