package chat.bench;

import chat.support.RunningService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The bench's open loop and group fan-out against the whole service on loopback. */
class BenchFanOutTest {
  @TempDir
  Path dir;
  private RunningService service;

  @AfterEach
  void stop() throws Exception {
    if (service != null) {
      service.close();
    }
  }

  @Test
  void everySendGroupIsTimedToEachMemberOfItsGroupOnTheSchedule() throws Exception {
    service = RunningService.start(dir);
    PrintStream stdout = System.out;
    ByteArrayOutputStream report = new ByteArrayOutputStream();
    int code;
    System.setOut(new PrintStream(report, true, StandardCharsets.UTF_8));
    try {
      code = Bench.run("--port", String.valueOf(service.loginPort()), "--mix", "fanout",
          "--group-size", "5", "--clients", "2", "--rate", "20", "--seconds", "2", "--warmup", "1", "--drain", "10");
    } finally {
      System.setOut(stdout);
    }
    String text = report.toString(StandardCharsets.UTF_8);
    assertEquals(0, code, text);
    assertTrue(text.contains("10 users (2 friend pairs, 2 groups of 5)"), text);
    assertTrue(text.contains("open loop, 20 commands/s in all"), text);
    Matcher sent = Pattern.compile("(?m)^  send-group\\s+(\\d+)\\s+0\\s+0\\s").matcher(text);
    assertTrue(sent.find(), text);
    long sendGroups = Long.parseLong(sent.group(1));
    // 20 a second for 2 s, give or take the commands at the window's edges
    assertTrue(sendGroups >= 36 && sendGroups <= 44, text);
    Matcher group = Pattern.compile("(?m)^  group\\s+(\\d+)\\s+(\\d+)\\s").matcher(text);
    assertTrue(group.find(), text);
    assertEquals(5 * sendGroups, Long.parseLong(group.group(2)), text);
    assertEquals(group.group(2), group.group(1), "every member received every message: " + text);
    assertTrue(text.contains("RESULT ") && text.contains(" errors=0 "), text);
  }
}
