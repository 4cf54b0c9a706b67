package chat.fleet;

import chat.fleet.FleetLease.Decision;
import chat.fleet.FleetLease.Renewal;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The fleet lease's decisions, renewal by renewal and tick by tick, on a clock the test moves: no store, no sleep. */
class FleetLeaseTest {
  private static final long LEASE = 3_000;
  private static final long MARGIN = 250;

  private long now = 1_000_000;
  private final FleetLease lease = new FleetLease(LEASE, MARGIN);

  @Test
  void aServerThatGetsTheLeaseTakesTheFleetOverAndDrivesIt() {
    assertEquals(Decision.NOTHING, lease.tick(now), "nothing to drive before the lease");
    assertEquals(Decision.TAKE_OVER, lease.renewed(now, Renewal.HELD));
    lead();
    assertEquals(Decision.DRIVE, lease.tick(now));
  }

  @Test
  void theLeaseIsRenewedThreeTimesALease() {
    assertEquals(LEASE / 3, lease.renewEveryMillis());
    assertEquals(1, new FleetLease(2, MARGIN).renewEveryMillis(), "never every 0 ms");
  }

  @Test
  void aHolderThatRenewsKeepsDrivingTheFleet() {
    takeOver();
    for (int i = 0; i < 10; i++) {
      now += lease.renewEveryMillis();
      assertEquals(Decision.NOTHING, lease.renewed(now, Renewal.HELD), "no second take-over");
      assertEquals(Decision.DRIVE, lease.tick(now + MARGIN));
    }
  }

  @Test
  void aServerThatCannotRenewStepsDownBeforeItsLeaseEnds() {
    long asked = now;
    takeOver();
    now += lease.renewEveryMillis();
    assertEquals(Decision.NOTHING, lease.renewed(now, Renewal.FAILED), "a failed renewal changes nothing by itself");
    now += lease.renewEveryMillis();
    assertEquals(Decision.NOTHING, lease.renewed(now, Renewal.FAILED));
    now = asked + LEASE - MARGIN - 1;
    assertEquals(Decision.DRIVE, lease.tick(now), "still surely its own");
    now++;
    assertEquals(Decision.STEP_DOWN, lease.tick(now), "a tick before the lease can run out");
    assertEquals(Decision.NOTHING, lease.tick(now), "once");
  }

  @Test
  void theLeaseRunsFromWhenTheRenewalWasAskedNotWhenItWasAnswered() {
    long asked = now;
    takeOver();
    now += 2_000;
    assertEquals(Decision.NOTHING, lease.renewed(asked + 1_000, Renewal.HELD), "answered a second late");
    assertEquals(Decision.DRIVE, lease.tick(asked + 1_000 + LEASE - MARGIN - 1));
    assertEquals(Decision.STEP_DOWN, lease.tick(asked + 1_000 + LEASE - MARGIN));
  }

  @Test
  void aLeaseHeldByAnotherServerMakesTheHolderStepDown() {
    takeOver();
    now += lease.renewEveryMillis();
    assertEquals(Decision.STEP_DOWN, lease.renewed(now, Renewal.HELD_BY_ANOTHER));
    assertEquals(Decision.NOTHING, lease.tick(now), "it no longer drives the fleet");
  }

  @Test
  void aServerThatDoesNotDriveTheFleetIgnoresALeaseHeldByAnother() {
    assertEquals(Decision.NOTHING, lease.renewed(now, Renewal.HELD_BY_ANOTHER));
    assertEquals(Decision.NOTHING, lease.renewed(now, Renewal.FAILED));
    assertEquals(Decision.NOTHING, lease.tick(now));
  }

  @Test
  void aServerThatSteppedDownTakesTheFleetOverAgainWhenItGetsTheLeaseBack() {
    takeOver();
    lease.renewed(now, Renewal.HELD_BY_ANOTHER);
    now += LEASE;
    assertEquals(Decision.TAKE_OVER, lease.renewed(now, Renewal.HELD));
    lead();
    assertEquals(Decision.DRIVE, lease.tick(now));
  }

  @Test
  void aSecondTakeOverIsNotStartedWhileOneIsUnderWay() {
    assertEquals(Decision.TAKE_OVER, lease.renewed(now, Renewal.HELD));
    now += lease.renewEveryMillis();
    assertEquals(Decision.NOTHING, lease.renewed(now, Renewal.HELD), "before the fleet is restored");
    assertTrue(lease.restored());
    now += lease.renewEveryMillis();
    assertEquals(Decision.NOTHING, lease.renewed(now, Renewal.HELD), "while the take-over still subscribes");
    assertEquals(Decision.DRIVE, lease.takeOverEnded(true));
    assertEquals(Decision.DRIVE, lease.tick(now));
  }

  @Test
  void theLeaseIsNotCheckedNorTheFleetDrivenWhileATakeOverIsUnderWay() {
    long asked = now;
    assertEquals(Decision.TAKE_OVER, lease.renewed(asked, Renewal.HELD));
    assertTrue(lease.restored());
    now = asked + LEASE;
    assertEquals(Decision.NOTHING, lease.tick(now), "the take-over ends first");
    assertEquals(Decision.DRIVE, lease.takeOverEnded(true));
    assertEquals(Decision.STEP_DOWN, lease.tick(now));
  }

  @Test
  void aLeaseHeldByAnotherBeforeTheFleetIsRestoredCancelsTheTakeOver() {
    assertEquals(Decision.TAKE_OVER, lease.renewed(now, Renewal.HELD));
    assertEquals(Decision.NOTHING, lease.renewed(now, Renewal.HELD_BY_ANOTHER), "nothing restored to leave yet");
    assertFalse(lease.restored(), "the restored fleet is not driven: another server holds the lease");
    assertEquals(Decision.NOTHING, lease.tick(now));
    assertEquals(Decision.STEP_DOWN, lease.takeOverEnded(true), "what the take-over set up is left");
    assertEquals(Decision.NOTHING, lease.tick(now));
    now += LEASE;
    assertEquals(Decision.TAKE_OVER, lease.renewed(now, Renewal.HELD), "the next time it gets the lease");
  }

  @Test
  void aLeaseHeldByAnotherAfterTheFleetIsRestoredStepsDownAndTheTakeOverLeavesWhatItSetUp() {
    assertEquals(Decision.TAKE_OVER, lease.renewed(now, Renewal.HELD));
    assertTrue(lease.restored());
    assertEquals(Decision.STEP_DOWN, lease.renewed(now, Renewal.HELD_BY_ANOTHER), "at once");
    assertEquals(Decision.NOTHING, lease.tick(now));
    assertEquals(Decision.STEP_DOWN, lease.takeOverEnded(true), "the queues it subscribed to since are left too");
    assertEquals(Decision.NOTHING, lease.tick(now));
  }

  @Test
  void aLeaseHeldAgainDuringATakeOverThatWasOvertakenDoesNotRescueIt() {
    assertEquals(Decision.TAKE_OVER, lease.renewed(now, Renewal.HELD));
    lease.renewed(now, Renewal.HELD_BY_ANOTHER);
    now += LEASE;
    assertEquals(Decision.NOTHING, lease.renewed(now, Renewal.HELD), "no second take-over while one is under way");
    assertFalse(lease.restored(), "the fleet it read may already have been changed by the other server");
    assertEquals(Decision.STEP_DOWN, lease.takeOverEnded(true));
    assertEquals(Decision.TAKE_OVER, lease.renewed(now, Renewal.HELD), "a fresh take-over reads the store again");
  }

  @Test
  void aFailedTakeOverStepsDownAndTheNextRenewalTriesAgain() {
    assertEquals(Decision.TAKE_OVER, lease.renewed(now, Renewal.HELD));
    assertTrue(lease.restored());
    assertEquals(Decision.STEP_DOWN, lease.takeOverEnded(false));
    assertEquals(Decision.NOTHING, lease.tick(now));
    now += lease.renewEveryMillis();
    assertEquals(Decision.TAKE_OVER, lease.renewed(now, Renewal.HELD));
  }

  @Test
  void aTakeOverThatFailsBeforeRestoringTheFleetIsTriedAgainAtTheNextRenewal() {
    assertEquals(Decision.TAKE_OVER, lease.renewed(now, Renewal.HELD));
    assertEquals(Decision.STEP_DOWN, lease.takeOverEnded(false), "whatever it set up is left");
    assertEquals(Decision.NOTHING, lease.tick(now));
    assertEquals(Decision.TAKE_OVER, lease.renewed(now, Renewal.HELD));
  }

  @Test
  void aReleasedLeaseDrivesNothingMore() {
    takeOver();
    lease.released();
    assertEquals(Decision.NOTHING, lease.tick(now));
    assertEquals(Decision.NOTHING, lease.renewed(now, Renewal.HELD_BY_ANOTHER));
  }

  /** The lease is granted, asked now, and the take-over succeeds. */
  private void takeOver() {
    assertEquals(Decision.TAKE_OVER, lease.renewed(now, Renewal.HELD));
    lead();
  }

  private void lead() {
    assertTrue(lease.restored());
    assertEquals(Decision.DRIVE, lease.takeOverEnded(true));
  }
}
