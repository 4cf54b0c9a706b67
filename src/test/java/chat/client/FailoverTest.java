package chat.client;

import chat.ChatServer;
import chat.config.ChatConfig;
import chat.fleet.FleetVerticle;
import chat.support.TestServers;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/**
 * Real child processes of the local provider, the real client: killing the instance a user
 * is on costs that user no failed command, and nothing stored is lost.
 */
class FailoverTest {
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
  void killingAnInstanceCostsItsUsersNoFailedCommand() throws Exception {
    ChatConfig config = TestServers.config(data, Map.of("fleet.provider", "local", "fleet.lostAfterMillis", "3000"));
    server = ChatServer.start(vertx, config, ChatServer.Role.ALL).await(60, TimeUnit.SECONDS);

    ClientHarness client = new ClientHarness(server.loginPort());

    client.type("register ann pa", "register bob pb", "login ann pa", "login bob pb", "invite ann bob",
        "accept-invite bob ann", "post ann before the crash");
    client.awaitLines(7, 60_000);

    JsonArray before = instances();
    assertEquals(1, before.size());
    long pid = Long.parseLong(before.getJsonObject(0).getString("provider"));
    ProcessHandle.of(pid).orElseThrow().destroyForcibly();
    ProcessHandle.of(pid).ifPresent(h -> h.onExit().join());

    client.type("receive-post bob", "send ann bob still here", "list-friend ann");
    List<String> lines = client.exit(90_000);
    assertEquals(List.of("Success!", "Success!", "Success!", "Success!", "Success!", "Success!", "Success!",
        "ann: before the crash", "Success!", "<<<ann->bob: still here>>>", "bob"), lines);

    JsonArray after = instances();
    assertEquals(1, after.size(), after.encode());
    assertNotEquals(before.getJsonObject(0).getString("id"), after.getJsonObject(0).getString("id"));
    assertEquals(2, after.getJsonObject(0).getInteger("users"));
  }

  private JsonArray instances() throws Exception {
    return vertx.eventBus().<JsonObject>request(FleetVerticle.SNAPSHOT, null).await(10, TimeUnit.SECONDS)
        .body().getJsonArray("instances");
  }


}
