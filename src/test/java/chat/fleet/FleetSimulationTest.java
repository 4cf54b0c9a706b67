package chat.fleet;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The simulated day with a small population: what {@code make simulate} shows for 100,000 users, in miniature. */
class FleetSimulationTest {
  private static final int USERS = 2_000;
  private static final FleetOptions SEED_RULES = FleetOptions.fromJson(new JsonObject()).withConsolidation(0);

  @Test
  void theSameSeedGivesTheSameDay() {
    FleetSimulation.Params p = new FleetSimulation.Params("twice", USERS, 7, SEED_RULES.withConsolidation(60_000));
    assertEquals(FleetSimulation.run(p), FleetSimulation.run(p));
  }

  @Test
  void consolidationBringsInstanceHoursNearTheLowerBoundAndSparesHideBootTimes() {
    FleetSimulation.Result fragmented = run("no consolidation", SEED_RULES);
    FleetSimulation.Result packed = run("consolidation", SEED_RULES.withConsolidation(60_000));
    FleetSimulation.Result spared = run("consolidation and a spare", SEED_RULES.withConsolidation(60_000)
        .withWarmSpares(1));

    assertTrue(fragmented.ratio() > 1.3, "without consolidation the fleet fragments: " + fragmented);
    assertEquals(0, fragmented.moves());
    assertTrue(packed.ratio() <= 1.15, "consolidated: " + packed);
    assertTrue(packed.moves() > 0);
    assertTrue(packed.p99WaitMillis() >= 25_000, "without a spare, logins wait for boots: " + packed);
    assertTrue(spared.p99WaitMillis() <= 1_000, "a spare hides the boot time: " + spared);
    assertTrue(spared.instanceHours() < fragmented.instanceHours(), spared + " against " + fragmented);
  }

  private static FleetSimulation.Result run(String name, FleetOptions options) {
    FleetSimulation.Result r = FleetSimulation.run(new FleetSimulation.Params(name, USERS, 2018, options));
    assertEquals(USERS, r.logins(), "every login answered: " + r);
    assertEquals(0, r.refused());
    assertTrue(r.instanceHours() >= r.lowerBound(), "no fleet beats the bound: " + r);
    assertTrue(r.peakFleet() >= Math.ceil(r.peakOnline() / 10.0), r.toString());
    return r;
  }
}
