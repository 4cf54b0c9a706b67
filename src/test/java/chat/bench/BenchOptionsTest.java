package chat.bench;

import chat.config.CommandLineSpec;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** The bench's options: --hold, the open loop's --rate and its schedule, --group-size. */
class BenchOptionsTest {
  private static Bench parsed(String... args) {
    try {
      return Bench.parse(args);
    } catch (CommandLineSpec.UsageException e) {
      throw new AssertionError(e.getMessage(), e);
    }
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

  @Test
  void theClientsTakeTurnsSoThatAllCommandsAreOneOverTheRateApart() {
    List<Long> all = new ArrayList<>();
    for (int c = 0; c < 20; c++) {
      for (long k = 0; k < 50; k++) {
        all.add(Bench.due(5_000, c, 20, 1_000, k));
      }
    }
    Collections.sort(all);
    for (int i = 0; i < all.size(); i++) {
      assertEquals(5_000 + i * 1_000_000L, all.get(i), "command " + i);
    }
  }

  @Test
  void aRateThatDoesNotDivideASecondDoesNotDrift() {
    // 3 a second: the 3,000th command of one client is due at 1,000 s, not a rounding error later
    assertEquals(1_000_000_000_000L, Bench.due(0, 0, 1, 3, 3_000));
    assertEquals(333_333_333L, Bench.due(0, 1, 3, 3, 0));
  }

  @Test
  void closedLoopUnlessARateIsGiven() {
    assertNull(parsed().rate);
    assertEquals(1_000, parsed("--rate", "1000").rate);
  }

  @Test
  void rateAndGroupSizeAreBounded() {
    assertEquals("--rate must be between 1 and 1000000 commands a second", parsed("--rate", "0").validate());
    assertEquals("--group-size must be between 2 and 1000", parsed("--mix", "fanout", "--group-size", "1").validate());
    assertEquals("--group-size is for the mixes that send (messaging, fanout, mixed)",
        parsed("--mix", "app", "--group-size", "3").validate());
    assertEquals("--rate is for a load; --hold runs none", parsed("--rate", "10", "--hold", "5").validate());
    assertEquals("--users must be between 100 and 40000",
        parsed("--mix", "fanout", "--group-size", "100", "--users", "99").validate());
  }

  @Test
  void groupsOfNMembersMakeOneGroupPerClientByDefault() {
    Bench b = parsed("--mix", "fanout", "--group-size", "100", "--clients", "3");
    assertNull(b.validate());
    assertEquals(300, b.userCount());
    assertEquals(3, b.pairCount());
  }

  @Test
  void groupsOfTwoKeepTheFormerPopulation() {
    Bench b = parsed("--mix", "messaging", "--clients", "20");
    assertEquals(100, b.userCount());
    assertEquals(50, b.pairCount());
    Bench thousand = parsed("--mix", "messaging", "--users", "1000");
    assertEquals(500, thousand.pairCount());
  }
}
