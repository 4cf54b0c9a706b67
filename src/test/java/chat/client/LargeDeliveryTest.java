package chat.client;

import chat.support.RunningService;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A message larger than one AMQP frame of the embedded broker (32 KiB) travels in several, from
 * the application server to the broker and from the broker to the client, and arrives whole.
 */
class LargeDeliveryTest {
  @TempDir
  Path data;
  @AutoClose
  private RunningService service;

  @Test
  void aMessageOfSeveralFramesIsDeliveredWhole() throws Exception {
    service = RunningService.start(data, Map.of("limits.maxMessageLength", "0"));
    assertEquals("Success!", service.message("register ann pa"));
    String ann = service.login("ann", "pa");
    ClientHarness bob = new ClientHarness(service.loginPort());
    bob.type("register bob pb", "login bob pb");
    bob.awaitLines(2, 30_000);
    assertEquals("Success!", service.message("invite " + ann + " bob"));
    bob.type("accept-invite bob ann");
    bob.awaitLines(3, 30_000);

    String text = "x".repeat(60_000);
    assertEquals("Success!", service.message("send " + ann + " bob " + text));
    bob.awaitLines(4, 30_000);
    List<String> lines = bob.exit(30_000);
    assertEquals("<<<ann->bob: " + text + ">>>", lines.get(3));
  }
}
