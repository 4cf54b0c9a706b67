package chat.fleet;

import chat.fleet.FleetState.Assigned;
import chat.fleet.FleetState.Effect;
import chat.fleet.FleetState.Forget;
import chat.fleet.FleetState.Heard;
import chat.fleet.FleetState.Load;
import chat.fleet.FleetState.Locate;
import chat.fleet.FleetState.Moved;
import chat.fleet.FleetState.Note;
import chat.fleet.FleetState.Persist;
import chat.fleet.FleetState.Probe;
import chat.fleet.FleetState.Refused;
import chat.fleet.FleetState.Start;
import chat.fleet.FleetState.Stop;
import chat.fleet.Lifecycle.Event;
import chat.store.InstanceRepository;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The fleet's decisions, event by event, on a clock the test moves: no broker, no store, no sleep. */
class FleetStateTest {
  private static final FleetOptions OPTIONS = new FleetOptions(2, 0, 1_000, 5_000, 4_000, "test", 3_000);

  private long now = 1_000_000;
  private int ids;
  private long requests;
  private FleetState fleet = new FleetState(OPTIONS, () -> "app-" + (++ids));

  // ---- the transition table ----

  @ParameterizedTest(name = "{0} --{1}--> {2}")
  @CsvSource(nullValues = "-", value = {
      "STARTING,REGISTERED,READY",
      "STARTING,START_FAILED,FAILED",
      "STARTING,START_TIMED_OUT,FAILED",
      "STARTING,SILENT,-",
      "STARTING,IDLE,-",
      "STARTING,STOP_FINISHED,-",
      "READY,SILENT,LOST",
      "READY,SUSPECTED,LOST",
      "READY,IDLE,DRAINING",
      "READY,EMPTIED,DRAINING",
      "STARTING,EMPTIED,-",
      "DRAINING,EMPTIED,-",
      "READY,REGISTERED,-",
      "READY,STOP_FINISHED,-",
      "DRAINING,STOP_FINISHED,STOPPED",
      "DRAINING,REGISTERED,-",
      "DRAINING,SILENT,-",
      "LOST,STOP_FINISHED,STOPPED",
      "LOST,REGISTERED,-",
      "LOST,SUSPECTED,-",
      "FAILED,STOP_FINISHED,STOPPED",
      "FAILED,REGISTERED,-",
      "STOPPED,REGISTERED,-",
      "STOPPED,STOP_FINISHED,-",
  })
  void eachEventLeadsWhereTheTableSays(InstanceState from, Event event, InstanceState to) {
    assertEquals(to, Lifecycle.next(from, event));
  }

  // ---- assignment ----

  @Test
  void theFirstLoginStartsAnInstanceAndIsAnsweredWhenItRegisters() {
    List<Effect> out = assign(7);
    assertEquals(List.of(new Start("app-1")), only(out, Start.class));
    assertEquals(List.of(), only(out, Assigned.class), "not before the instance is ready");
    assertEquals(InstanceState.STARTING, state("app-1"));

    out = register("app-1");
    assertEquals(List.of(new Assigned(0, 7, new AppAddress("app-1", "127.0.0.1", 9001))), only(out, Assigned.class));
    assertEquals(InstanceState.READY, state("app-1"));
    assertEquals(1, only(out, Persist.class).size(), "the ready instance is saved");
  }

  @Test
  void loginsFillAnInstanceToItsCapacityThenStartAnother() {
    assign(1);
    assign(2);
    List<Effect> third = assign(3);
    assertEquals(List.of(new Start("app-2")), only(third, Start.class));
    assertEquals("app-1", fleet.instanceOf(1));
    assertEquals("app-1", fleet.instanceOf(2));
    assertEquals("app-2", fleet.instanceOf(3));
  }

  @Test
  void concurrentFirstLoginsStartOneInstancePerCapacity() {
    fleet = new FleetState(new FleetOptions(10, 0, 1_000, 5_000, 4_000, "test", 3_000), () -> "app-" + (++ids));
    int starts = 0;
    for (long u = 0; u < 30; u++) {
      starts += only(assign(u), Start.class).size();
    }
    assertEquals(3, starts);
  }

  @Test
  void aLoggedInUserKeepsItsServerAndCountsOnce() {
    assign(1);
    register("app-1");
    for (int i = 0; i < 5; i++) {
      assertEquals(List.of(), only(assign(1), Start.class));
    }
    assertEquals(1, fleet.instances().get(0).users());
    assertEquals(List.of(), only(assign(2), Start.class), "the second user still fits");
  }

  @Test
  void theReadyInstanceWithFewestUsersIsChosen() {
    fleet = new FleetState(new FleetOptions(3, 0, 1_000, 5_000, 4_000, "test", 3_000), () -> "app-" + (++ids));
    for (long u = 1; u <= 5; u++) {
      assign(u);
    }
    register("app-1");
    register("app-2");
    fleet.release(1);
    fleet.release(2);
    List<Effect> out = assign(6);
    assertEquals("app-1", only(out, Assigned.class).get(0).address().instanceId(), "one user there, two on app-2");
  }

  @Test
  void anEmptyInstanceTakesAUserOnlyWhenNoneWithUsersHasRoom() {
    assign(1);
    assign(2);
    assign(3);
    register("app-1");
    register("app-2");
    fleet.release(1);
    fleet.release(2);
    List<Effect> out = assign(4);
    assertEquals("app-2", only(out, Assigned.class).get(0).address().instanceId(), "app-1 is empty: a spare");
    out = assign(5);
    assertEquals("app-1", only(out, Assigned.class).get(0).address().instanceId(), "app-2 is full");
  }

  @Test
  void aLoginThatWaitsPastTheStartTimeoutIsRefusedAndLeavesNoAssignment() {
    assign(1);
    now += OPTIONS.startTimeoutMillis();
    List<Effect> out = fleet.tick(now);
    assertEquals(1, only(out, Refused.class).size());
    assertNull(fleet.instanceOf(1));
  }

  // ---- instances that fail or go silent ----

  @Test
  void anInstanceThatNeverRegistersFailsAndIsStoppedBeforeItLeaves() {
    assign(1);
    fleet.started("app-1", "pid-1", now);
    now += OPTIONS.startTimeoutMillis() + 1;
    List<Effect> out = fleet.tick(now);
    assertEquals(List.of(new Stop("app-1", "pid-1")), only(out, Stop.class));
    assertEquals(InstanceState.FAILED, state("app-1"), "still listed while it is being stopped");
    assertNull(fleet.instanceOf(1));

    out = fleet.stopFinished("app-1", now);
    assertEquals(List.of(new Forget("app-1")), only(out, Forget.class));
    assertTrue(fleet.instances().isEmpty());
  }

  @Test
  void aRefusedStartFailsItsWaitingLogins() {
    assign(1);
    List<Effect> out = fleet.startFailed("app-1", "no capacity", now);
    assertEquals(1, only(out, Refused.class).size());
    assertEquals(List.of(new Stop("app-1", null)), only(out, Stop.class));
    assertEquals(List.of(new Locate("app-1")), only(out, Locate.class), "in case something of it runs after all");
  }

  @Test
  void anInstanceStartedAfterItWasGivenUpIsStoppedAtOnce() {
    assign(1);
    fleet.startFailed("app-1", "slow", now);
    fleet.stopFinished("app-1", now);
    List<Effect> out = fleet.started("app-1", "pid-late", now);
    assertEquals(List.of(new Stop(null, "pid-late")), only(out, Stop.class), "nothing is left running");
  }

  @Test
  void aSilentInstanceIsLostItsUsersReassignedAndItLeavesOnlyWhenStopped() {
    assign(1);
    fleet.started("app-1", "pid-1", now);
    register("app-1");
    now += OPTIONS.lostAfterMillis() + 1;
    List<Effect> out = fleet.tick(now);
    assertEquals(List.of(new Probe("app-1", "127.0.0.1", 9001)), only(out, Probe.class), "first, is it still there?");
    assertEquals(List.of(), only(fleet.tick(now), Probe.class), "one probe at a time");
    out = fleet.probed("app-1", false, now);
    assertEquals(List.of(new Stop("app-1", "pid-1")), only(out, Stop.class));
    assertEquals(InstanceState.LOST, state("app-1"));
    assertNull(fleet.instanceOf(1), "its user is free to go elsewhere");

    out = assign(1);
    assertEquals(List.of(new Start("app-2")), only(out, Start.class), "a lost instance takes no one");
    assertEquals(2, fleet.instances().size(), "the lost one stays listed until its stop finishes");
    fleet.stopFinished("app-1", now);
    assertEquals(List.of("app-2"), fleet.instances().stream().map(FleetState.View::id).toList());
  }

  @Test
  void heartbeatsKeepAnInstanceReady() {
    assign(1);
    register("app-1");
    for (int i = 0; i < 10; i++) {
      now += OPTIONS.lostAfterMillis() - 1;
      heartbeat("app-1");
      assertEquals(List.of(), only(fleet.tick(now), Stop.class));
    }
    assertEquals(InstanceState.READY, state("app-1"));
  }

  @Test
  void aSilentInstanceWhosePortAnswersStaysReady() {
    assign(1);
    register("app-1");
    now += OPTIONS.lostAfterMillis() + 1;
    assertEquals(1, only(fleet.tick(now), Probe.class).size());
    List<Effect> out = fleet.probed("app-1", true, now);
    assertEquals(List.of(), only(out, Stop.class), "a slow broker is no lost instance");
    assertEquals(InstanceState.READY, state("app-1"));
    assertEquals("app-1", fleet.instanceOf(1));
    now += OPTIONS.lostAfterMillis() + 1;
    assertEquals(1, only(fleet.tick(now), Probe.class).size(), "still silent: asked again");
  }

  @Test
  void aSuspectedInstanceIsLostAtOnce() {
    assign(1);
    register("app-1");
    List<Effect> out = fleet.suspect("app-1", now);
    assertEquals(InstanceState.LOST, state("app-1"));
    assertEquals(1, only(out, Stop.class).size());
  }

  @Test
  void aLostInstanceIsNotBroughtBackByItsLateHeartbeats() {
    assign(1);
    register("app-1");
    fleet.suspect("app-1", now);
    fleet.stopFinished("app-1", now);
    heartbeat("app-1");
    assertTrue(fleet.instances().isEmpty());
  }

  @Test
  void anInstanceKeepsTheAddressItRegisteredWith() {
    assign(1);
    register("app-1");
    List<Effect> out = fleet.heard(new Heard("app-1", "10.0.0.66", 9001, 2), now);
    assertEquals("refused", only(out, Note.class).get(0).event());
    assertEquals("127.0.0.1", fleet.instances().get(0).host());
  }

  // ---- scaling in ----

  @Test
  void anIdleInstanceDrainsAfterTheGracePeriodAndLeavesWhenStopped() {
    assign(1);
    fleet.started("app-1", "pid-1", now);
    register("app-1");
    fleet.release(1);
    fleet.tick(now);
    now += OPTIONS.graceMillis() - 1;
    heartbeat("app-1");
    assertEquals(List.of(), only(fleet.tick(now), Stop.class), "not before the grace period");
    now += 1;
    List<Effect> out = fleet.tick(now);
    assertEquals(List.of(new Stop("app-1", "pid-1")), only(out, Stop.class));
    assertEquals(InstanceState.DRAINING, state("app-1"));
    assertEquals(List.of(new Forget("app-1")), only(fleet.stopFinished("app-1", now), Forget.class));
  }

  @Test
  void anInstanceWithUsersIsNeverDrained() {
    assign(1);
    register("app-1");
    for (int i = 0; i < 100; i++) {
      now += 250;
      heartbeat("app-1");
      assertEquals(List.of(), only(fleet.tick(now), Stop.class));
    }
  }

  @Test
  void warmSparesAreStartedAndNotDrainedForBeingIdle() {
    fleet = new FleetState(new FleetOptions(2, 1, 1_000, 5_000, 4_000, "test", 3_000), () -> "app-" + (++ids));
    assertEquals(List.of(new Start("app-1")), only(fleet.tick(now), Start.class));
    register("app-1");
    for (int i = 0; i < 20; i++) {
      now += 250;
      heartbeat("app-1");
      List<Effect> out = fleet.tick(now);
      assertEquals(List.of(), only(out, Stop.class));
      assertEquals(List.of(), only(out, Start.class));
    }
    assign(1);
    assertEquals(List.of(new Start("app-2")), only(fleet.tick(now), Start.class), "a new spare replaces the one taken");
  }

  // ---- consolidation ----

  /** Ten users an instance, a window of 10 s, 5 s of grace. */
  private static final FleetOptions PACKED = new FleetOptions(10, 0, 5_000, 60_000, 4_000, "test", 3_000)
      .withConsolidation(10_000);

  @Test
  void aFragmentedFleetIsPackedOntoOneInstanceOnceTheWindowHasPassed() {
    fleet = new FleetState(PACKED, () -> "app-" + (++ids));
    fragment();
    long fragmented = now;
    List<Effect> out = runUntil(fragmented + PACKED.consolidateMillis() - 250);
    assertEquals(List.of(), only(out, Moved.class), "nothing moves before the window has passed");
    assertEquals(3, inService());

    out = runUntil(fragmented + PACKED.consolidateMillis() + 250);
    List<Moved> moved = only(out, Moved.class);
    assertEquals(6, moved.size(), "the users of two instances move");
    assertEquals(2, only(out, Stop.class).size(), "the two emptied instances are stopped");
    assertEquals(1, inService());
    String survivor = fleet.instances().stream().filter(i -> i.state() == InstanceState.READY).findFirst()
        .orElseThrow().id();
    for (Moved m : moved) {
      assertEquals(survivor, m.to());
      assertEquals(survivor, fleet.instanceOf(m.user()));
    }
    assertEquals(9, fleet.instances().stream().filter(i -> i.id().equals(survivor)).findFirst().orElseThrow().users());
    for (FleetState.View v : fleet.instances()) {
      if (!v.id().equals(survivor)) {
        assertEquals(InstanceState.DRAINING, v.state(), v.id() + " drains with no user left");
        assertEquals(List.of(new Forget(v.id())), only(fleet.stopFinished(v.id(), now), Forget.class));
      }
    }
  }

  @Test
  void withoutAWindowAFragmentedFleetStaysAsItIs() {
    fleet = new FleetState(PACKED.withConsolidation(0), () -> "app-" + (++ids));
    fragment();
    List<Effect> out = runUntil(now + 120_000);
    assertEquals(List.of(), only(out, Moved.class));
    assertEquals(3, inService());
  }

  @Test
  void instancesThatLoginsOfTheWindowNeededAreKeptAWholeWindowLonger() {
    fleet = new FleetState(PACKED, () -> "app-" + (++ids));
    fragment();
    runUntil(now + 6_000);
    // a wave of logins needs all three instances again, and leaves
    for (long u = 100; u < 112; u++) {
      assign(u);
    }
    assertEquals(3, inService(), "the wave fits on the instances running");
    runUntil(now + 1_000);
    long wave = now;
    for (long u = 100; u < 112; u++) {
      fleet.release(u);
    }
    List<Effect> out = runUntil(wave + PACKED.consolidateMillis() - 250);
    assertEquals(List.of(), only(out, Moved.class), "the wave's instances are kept for a window after it");
    assertEquals(3, inService());
    out = runUntil(wave + PACKED.consolidateMillis() + 250);
    assertEquals(6, only(out, Moved.class).size());
    assertEquals(1, inService());
  }

  @Test
  void aUserMovedWithinTheWindowIsNotMovedAgain() {
    fleet = new FleetState(PACKED, () -> "app-" + (++ids));
    // app-1: 2 users, app-2: 5, app-3: 4, all registered
    List<Long> users = new ArrayList<>();
    for (long u = 0; u < 30; u++) {
      assign(u);
      users.add(u);
    }
    for (int i = 1; i <= 3; i++) {
      heard("app-" + i, 10);
    }
    for (long u = 2; u < 10; u++) {
      fleet.release(u);
    }
    for (long u = 15; u < 20; u++) {
      fleet.release(u);
    }
    for (long u = 24; u < 30; u++) {
      fleet.release(u);
    }
    long start = now;
    runUntil(start + 6_000);
    fleet.release(23); // app-3 down to 3: ten users need one instance, the window's peak is still two
    List<Effect> out = runUntil(start + 10_250);
    List<Moved> first = only(out, Moved.class);
    assertEquals(List.of(new Moved(0, "app-1", "app-2"), new Moved(1, "app-1", "app-2")), first,
        "the emptiest instance's users go to the fullest one with room");
    runUntil(start + 12_000);
    for (long u = 10; u < 15; u++) {
      fleet.release(u); // app-2 keeps only the two users moved onto it
    }
    out = runUntil(start + 16_250);
    List<Moved> second = only(out, Moved.class);
    assertEquals(3, second.size(), second.toString());
    for (Moved m : second) {
      assertEquals("app-3", m.from(), "app-2 is emptier, but its users were moved within the window");
      assertEquals("app-2", m.to());
    }
    assertEquals("app-2", fleet.instanceOf(0));
    assertEquals("app-2", fleet.instanceOf(1));
    assertEquals(InstanceState.DRAINING, state("app-3"));
  }

  // ---- sizing by measured load ----

  @Test
  void byLoadAnInstanceTakesUsersUntilItsReportedLoadReachesTheTarget() {
    FleetOptions byLoad = new FleetOptions(100, 0, 5_000, 60_000, 4_000, "test", 3_000)
        .withSizing(new FleetOptions.Sizing(FleetOptions.Sizing.Mode.LOAD, 0.5, 1_000));
    fleet = new FleetState(byLoad, () -> "app-" + (++ids));
    for (long u = 0; u < 9; u++) {
      assign(u);
    }
    // nine users make 45% CPU where 50% is the target: 0.1 of an instance each
    fleet.heard(new Heard("app-1", "127.0.0.1", 9001, 100, new Load(0.45, 30)), now);
    assertEquals(1, fleet.needed());
    assertEquals(List.of(), only(assign(9), Start.class), "the tenth user fits");
    assertEquals(List.of(new Start("app-2")), only(assign(10), Start.class),
        "the eleventh would take it past the target: by users it had room for 100");
    assertEquals(2, fleet.needed());
  }

  @Test
  void byLoadRequestsCountWhenTheyAreTheScarcerResource() {
    FleetOptions byLoad = new FleetOptions(100, 0, 5_000, 60_000, 4_000, "test", 3_000)
        .withSizing(new FleetOptions.Sizing(FleetOptions.Sizing.Mode.LOAD, 0.5, 100));
    fleet = new FleetState(byLoad, () -> "app-" + (++ids));
    for (long u = 0; u < 4; u++) {
      assign(u);
    }
    fleet.heard(new Heard("app-1", "127.0.0.1", 9001, 100, new Load(0.05, 80)), now);
    assertEquals(List.of(), only(assign(4), Start.class), "80 of 100 requests/s: one more user fits");
    assertEquals(List.of(new Start("app-2")), only(assign(5), Start.class));
  }

  // ---- restarts of the login role ----

  @Test
  void restoredInstancesKeepTheirUsersUntilTheyGoSilent() {
    fleet.restore(List.of(new InstanceRepository.Saved("app-9", "pid-9", "READY", "127.0.0.1", 9009, 2, now - 60_000)),
        Map.of(5L, "app-9"), now);
    assertEquals("app-9", fleet.instanceOf(5));
    assertEquals("app-9", only(assign(5), Assigned.class).get(0).address().instanceId());
    now += OPTIONS.lostAfterMillis() + 1;
    fleet.tick(now);
    assertEquals(List.of(new Stop("app-9", "pid-9")), only(fleet.probed("app-9", false, now), Stop.class));
  }

  @Test
  void anInstanceSavedBeforeItRegisteredIsRestoredStartingAndTakesNoOneUntilItRegisters() {
    fleet.restore(List.of(new InstanceRepository.Saved("app-7", "pid-7", "STARTING", null, null, 2, now - 600_000)),
        Map.of(5L, "app-7"), now);
    assertEquals(InstanceState.STARTING, state("app-7"));
    assertNull(fleet.instanceOf(5), "its users go where there is an address");
    assertEquals(List.of(new Start("app-1")), only(assign(5), Start.class), "it takes no one meanwhile");
    register("app-7");
    assertEquals(InstanceState.READY, state("app-7"));
  }

  @Test
  void aRestoredInstanceThatDoesNotRegisterSoonIsGivenUp() {
    fleet.restore(List.of(new InstanceRepository.Saved("app-7", "pid-7", "STARTING", null, null, 2, now)), Map.of(),
        now);
    now += OPTIONS.lostAfterMillis() - 1;
    assertEquals(List.of(), only(fleet.tick(now), Stop.class));
    now += 2;
    assertEquals(List.of(new Stop("app-7", "pid-7")), only(fleet.tick(now), Stop.class));
  }

  @Test
  void aLeftoverThatRegistersIsAdoptedAndOneThatDoesNotIsStopped() {
    fleet.leftovers(List.of(new InstanceProvider.Leftover("pid-a", "app-a"),
        new InstanceProvider.Leftover("pid-b", "app-b")), now);
    List<Effect> out = register("app-a");
    assertEquals("adopted", only(out, Note.class).get(0).event());
    assertEquals(List.of(), only(out, Locate.class), "the provider listed it: its reference is known");
    assertEquals("pid-a", fleet.instances().get(0).providerRef());
    now += OPTIONS.lostAfterMillis() * 2 + 1;
    heartbeat("app-a");
    assertEquals(List.of(new Stop(null, "pid-b")), only(fleet.tick(now), Stop.class));
  }

  /**
   * Another login server started the instance and lost the fleet before it could record it: it
   * registers here unknown, the provider is asked to find it, and what it finds is saved and
   * stopped with it when it drains.
   */
  @Test
  void anInstanceNobodyRecordedIsLocatedByItsIdAndStoppedByWhatWasFound() {
    List<Effect> out = register("app-x");
    assertEquals("adopted", only(out, Note.class).get(0).event());
    assertEquals(List.of(new Locate("app-x")), only(out, Locate.class));
    assertEquals(InstanceState.READY, state("app-x"));

    out = fleet.located("app-x", "pid-x", now);
    assertEquals("pid-x", fleet.instances().get(0).providerRef());
    assertEquals("pid-x", only(out, Persist.class).get(0).instance().providerRef(), "saved for the next holder");

    fleet.tick(now);
    now += OPTIONS.graceMillis();
    heartbeat("app-x");
    assertEquals(List.of(new Stop("app-x", "pid-x")), only(fleet.tick(now), Stop.class));
  }

  @Test
  void anInstanceThatLeftBeforeItWasFoundIsStoppedWhenFound() {
    register("app-x");
    fleet.tick(now);
    now += OPTIONS.graceMillis();
    heartbeat("app-x");
    assertEquals(List.of(new Stop("app-x", null)), only(fleet.tick(now), Stop.class), "nothing known to stop yet");
    fleet.stopFinished("app-x", now);

    assertEquals(List.of(new Stop(null, "pid-x")), only(fleet.located("app-x", "pid-x", now), Stop.class));
  }

  /**
   * Another login server saved the instance and started it, but lost the fleet before it could
   * record the provider's reference; the instance never registers (an EC2 machine that could
   * not read its secrets, say). Given up, it is looked for by its id, and what is found stopped.
   */
  @Test
  void aRestoredInstanceWithNoReferenceThatNeverRegistersIsLookedForAndStopped() {
    fleet.restore(List.of(new InstanceRepository.Saved("app-7", null, "STARTING", null, null, 2, now)), Map.of(), now);
    now += OPTIONS.lostAfterMillis() + 1;
    List<Effect> out = fleet.tick(now);
    assertEquals(List.of(new Stop("app-7", null)), only(out, Stop.class));
    assertEquals(List.of(new Locate("app-7")), only(out, Locate.class));
    fleet.stopFinished("app-7", now);
    assertEquals(List.of(new Stop(null, "i-0abc")), only(fleet.located("app-7", "i-0abc", now), Stop.class));
  }

  @Test
  void anInstanceThatLeavesWithItsReferenceIsNotLookedFor() {
    assign(1);
    fleet.started("app-1", "pid-1", now);
    register("app-1");
    fleet.release(1);
    fleet.tick(now);
    now += OPTIONS.graceMillis();
    heartbeat("app-1");
    List<Effect> out = fleet.tick(now);
    assertEquals(List.of(new Stop("app-1", "pid-1")), only(out, Stop.class));
    assertEquals(List.of(), only(out, Locate.class));
  }

  @Test
  void anInstanceTheProviderCannotFindIsReportedAndKept() {
    register("app-x");
    List<Effect> out = fleet.located("app-x", null, now);
    assertEquals("unlocated", only(out, Note.class).get(0).event());
    assertTrue(only(out, Note.class).get(0).warning());
    assertEquals(List.of(), only(out, Stop.class));
    assertEquals(InstanceState.READY, state("app-x"));
  }

  // ---- helpers ----

  /** 30 users on three instances of ten, then 21 leave: three remain on each. */
  private void fragment() {
    for (long u = 0; u < 30; u++) {
      assign(u);
    }
    for (int i = 1; i <= 3; i++) {
      heard("app-" + i, 10);
    }
    for (long u = 0; u < 30; u++) {
      if (u % 10 >= 3) {
        fleet.release(u);
      }
    }
    assertEquals(3, inService());
  }

  /** Moves the clock in ticks of 250 ms up to {@code until}, every instance in service beating; the effects of it all. */
  private List<Effect> runUntil(long until) {
    List<Effect> all = new ArrayList<>();
    while (now < until) {
      now = Math.min(until, now + 250);
      for (FleetState.View v : fleet.instances()) {
        if (v.state() == InstanceState.READY) {
          heard(v.id(), v.capacity());
        }
      }
      all.addAll(fleet.tick(now));
    }
    return all;
  }

  private long inService() {
    return fleet.instances().stream().filter(i -> i.state().inService()).count();
  }

  private List<Effect> heard(String id, int capacity) {
    return fleet.heard(new Heard(id, "127.0.0.1", 9000 + Integer.parseInt(id.substring(4)), capacity), now);
  }

  private List<Effect> assign(long user) {
    return fleet.assign(requests++, user, now);
  }

  private List<Effect> register(String id) {
    return fleet.heard(new Heard(id, "127.0.0.1", 9000 + Integer.parseInt(id.substring(4).replaceAll("\\D", "0")), 2),
        now);
  }

  private void heartbeat(String id) {
    register(id);
  }

  private InstanceState state(String id) {
    return fleet.instances().stream().filter(i -> i.id().equals(id)).findFirst().orElseThrow().state();
  }

  private static <T extends Effect> List<T> only(List<Effect> effects, Class<T> type) {
    List<T> out = new ArrayList<>();
    effects.stream().filter(type::isInstance).map(type::cast).forEach(out::add);
    return out;
  }
}
