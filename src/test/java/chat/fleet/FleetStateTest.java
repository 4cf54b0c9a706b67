package chat.fleet;

import chat.fleet.FleetState.Assigned;
import chat.fleet.FleetState.Effect;
import chat.fleet.FleetState.Forget;
import chat.fleet.FleetState.Heard;
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
import java.util.List;
import java.util.Map;

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
    assign(1);
    assign(2);
    assign(3);
    register("app-1");
    register("app-2");
    fleet.release(1);
    fleet.release(2);
    List<Effect> out = assign(4);
    assertEquals("app-1", only(out, Assigned.class).get(0).address().instanceId());
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
  void aLeftoverThatRegistersIsAdoptedAndOneThatDoesNotIsStopped() {
    fleet.leftovers(List.of(new InstanceProvider.Leftover("pid-a", "app-a"),
        new InstanceProvider.Leftover("pid-b", "app-b")), now);
    List<Effect> out = register("app-a");
    assertEquals("adopted", only(out, Note.class).get(0).event());
    assertEquals("pid-a", fleet.instances().get(0).providerRef());
    now += OPTIONS.lostAfterMillis() * 2 + 1;
    heartbeat("app-a");
    assertEquals(List.of(new Stop(null, "pid-b")), only(fleet.tick(now), Stop.class));
  }

  // ---- helpers ----

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
