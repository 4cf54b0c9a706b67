package chat.bench;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class BenchHoldTest {
  private static Bench parsed(String... args) {
    Bench b = new Bench();
    new CommandLine(b).parseArgs(args);
    return b;
  }

  @Test
  void holdTakesSecondsAndTenThousandUsers() {
    Bench b = parsed("--mix", "login", "--users", "10000", "--hold", "120");
    assertNull(b.validate());
    assertEquals(120, b.hold);
    assertEquals(10_000, b.userCount());
  }

  @Test
  void holdIsBounded() {
    assertEquals("--hold must be between 1 and 3600 seconds", parsed("--hold", "0").validate());
    assertEquals("--hold must be between 1 and 3600 seconds", parsed("--hold", "3601").validate());
  }

  @Test
  void withoutHoldTheLoadRuns() {
    assertNull(parsed().hold);
  }
}
