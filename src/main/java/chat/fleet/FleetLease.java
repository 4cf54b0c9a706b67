package chat.fleet;

/**
 * The fleet lease as one login server sees it, with no I/O: when to take the fleet over, when
 * to stop driving it, and whether it may drive it now. The store decides who holds the lease
 * (its own clock keeps the deadline); this server only knows that an attempt to hold it, asked
 * at some moment, succeeded, so the lease is surely its own until that moment plus the lease's
 * length. Times are monotonic milliseconds, given with each event.
 *
 * <p>A server drives the fleet from the moment it has restored it ({@link #restored}) until it
 * steps down. It steps down when the store says another server holds the lease (a take-over
 * under way then drives nothing, and leaves what it set up), when its take-over fails, or,
 * when it could not renew, {@code marginMillis} before its lease can run
 * out, so two servers never drive the fleet at once. A failed renewal changes nothing by
 * itself. Not thread-safe: one event at a time, as on the fleet verticle's event loop.
 */
public final class FleetLease {
  private final long leaseMillis;
  private final long marginMillis;
  /** Until when the lease is surely this server's. */
  private long heldUntil;
  /** A take-over is under way: no second one is started, and the lease is not checked, until it ends. */
  private boolean taking;
  /** This server drives the fleet. */
  private boolean driving;
  /** Another server held the lease while the take-over was under way: the take-over drives nothing. */
  private boolean cancelled;

  /** What the result of an attempt to hold the lease was. */
  public enum Renewal {
    /** This server holds the lease now. */
    HELD,
    /** Another server holds the lease and it has not run out. */
    HELD_BY_ANOTHER,
    /** The store did not answer: nothing is known. */
    FAILED
  }

  /** What the server must do. */
  public enum Decision {
    /** Restore the fleet from the store and drive it: tell {@link #restored} then {@link #takeOverEnded}. */
    TAKE_OVER,
    /** Stop driving the fleet at once: another server may drive it. */
    STEP_DOWN,
    /** Drive the fleet: the lease is surely this server's. */
    DRIVE,
    /** Nothing. */
    NOTHING
  }

  /**
   * @param leaseMillis  how long one hold of the lease lasts
   * @param marginMillis how long before the lease can run out the server stops trusting it (at least
   *                     the time between two checks, so none falls past the deadline)
   */
  public FleetLease(long leaseMillis, long marginMillis) {
    this.leaseMillis = leaseMillis;
    this.marginMillis = marginMillis;
  }

  /** How often the lease is renewed: three times a lease, so one or two lost renewals cost nothing. */
  public long renewEveryMillis() {
    return Math.max(1, leaseMillis / 3);
  }

  /** An attempt to hold the lease, asked at {@code asked}, came back with {@code outcome}. */
  public Decision renewed(long asked, Renewal outcome) {
    switch (outcome) {
      case HELD -> {
        heldUntil = asked + leaseMillis;
        if (!driving && !taking) {
          taking = true;
          cancelled = false;
          return Decision.TAKE_OVER;
        }
      }
      case HELD_BY_ANOTHER -> {
        cancelled |= taking;
        return stepDown();
      }
      case FAILED -> { }
    }
    return Decision.NOTHING;
  }

  /**
   * The take-over has restored the fleet: whether this server drives it from now on. It does
   * not when another server held the lease meanwhile.
   */
  public boolean restored() {
    if (cancelled) {
      return false;
    }
    driving = true;
    return true;
  }

  /**
   * The take-over ended: {@link Decision#DRIVE} when this server drives the fleet now;
   * {@link Decision#STEP_DOWN} when the take-over failed, or another server held the lease
   * meanwhile, and what it set up must be left.
   */
  public Decision takeOverEnded(boolean succeeded) {
    taking = false;
    boolean drive = succeeded && !cancelled && driving;
    cancelled = false;
    if (drive) {
      return Decision.DRIVE;
    }
    driving = false;
    return Decision.STEP_DOWN;
  }

  /**
   * Time passes: whether the server may drive the fleet now, must stop because its lease could
   * not be renewed in time, or has nothing to do (it does not drive the fleet, or is taking it over).
   */
  public Decision tick(long now) {
    if (!driving || taking) {
      return Decision.NOTHING;
    }
    return now >= heldUntil - marginMillis ? stepDown() : Decision.DRIVE;
  }

  /** The server leaves the fleet (it stops): nothing more is driven. */
  public void released() {
    driving = false;
  }

  private Decision stepDown() {
    if (!driving) {
      return Decision.NOTHING;
    }
    driving = false;
    return Decision.STEP_DOWN;
  }
}
