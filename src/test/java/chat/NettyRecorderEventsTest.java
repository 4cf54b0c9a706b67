package chat;

import chat.support.NettyRecorderProbe;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Netty's flight-recorder events: off in a JVM that records nothing, as the JVM or the operator says otherwise. */
class NettyRecorderEventsTest {

  @Test
  void theEventsFollowWhatTheOperatorSaysElseWhetherTheJvmRecordsFromItsStart() {
    assertFalse(Main.nettyRecorderEvents(null, false));
    assertTrue(Main.nettyRecorderEvents(null, true));
    assertTrue(Main.nettyRecorderEvents("true", false));
    assertFalse(Main.nettyRecorderEvents("false", true));
    assertFalse(Main.nettyRecorderEvents(" FALSE ", true));
  }

  @Test
  void aServiceJvmThatRecordsNothingLeavesNettysEventsOff() throws Exception {
    assertEquals("netty-recorder-events=false", probe());
  }

  @Test
  void aJvmStartedWithARecordingKeepsNettysEvents() throws Exception {
    assertEquals("netty-recorder-events=true", probe("-XX:StartFlightRecording"));
  }

  @Test
  void theOperatorsSettingWins() throws Exception {
    assertEquals("netty-recorder-events=true", probe("-Dio.netty.jfr.enabled=true"));
  }

  /** Runs {@link NettyRecorderProbe} in a JVM of its own and returns what it reports. */
  private static String probe(String... jvmOptions) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC"));
    cmd.addAll(List.of(jvmOptions));
    cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), NettyRecorderProbe.class.getName()));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the probe did not end");
    assertEquals(0, p.exitValue(), out);
    return out.lines().filter(l -> l.startsWith("netty-recorder-events=")).findFirst().orElse(out);
  }
}
