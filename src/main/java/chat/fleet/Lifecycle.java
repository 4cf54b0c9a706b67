package chat.fleet;

import java.util.EnumMap;
import java.util.Map;

import static chat.fleet.InstanceState.DRAINING;
import static chat.fleet.InstanceState.FAILED;
import static chat.fleet.InstanceState.LOST;
import static chat.fleet.InstanceState.READY;
import static chat.fleet.InstanceState.STARTING;
import static chat.fleet.InstanceState.STOPPED;

/**
 * The transition table of one application instance: which event takes it from which state to
 * which. An event the table does not name for a state leaves the instance where it is (a late
 * heartbeat of a lost instance, a second stop). {@link FleetState} decides when an event
 * happens; this table alone decides where it leads.
 *
 * <pre>
 *   STARTING --registered--------------------> READY
 *   STARTING --start-failed | start-timed-out-> FAILED
 *   READY    --silent | suspected------------> LOST
 *   READY    --idle | emptied-----------------> DRAINING
 *   DRAINING | LOST | FAILED --stop-finished--> STOPPED (leaves the registry)
 * </pre>
 */
public final class Lifecycle {

  /** What happens to an instance. */
  public enum Event {
    /** Its first signed message arrived over the broker. */
    REGISTERED,
    /** The provider refused to start it. */
    START_FAILED,
    /** It did not register within the start timeout. */
    START_TIMED_OUT,
    /** No heartbeat for longer than the lost-after interval. */
    SILENT,
    /** A login server could not reach it at all. */
    SUSPECTED,
    /** Without users for the grace period, with enough idle instances besides it. */
    IDLE,
    /** Consolidation moved all its users to other instances. */
    EMPTIED,
    /** The provider finished stopping it. */
    STOP_FINISHED
  }

  private static final Map<InstanceState, Map<Event, InstanceState>> TABLE = new EnumMap<>(InstanceState.class);

  static {
    on(STARTING, Event.REGISTERED, READY);
    on(STARTING, Event.START_FAILED, FAILED);
    on(STARTING, Event.START_TIMED_OUT, FAILED);
    on(READY, Event.SILENT, LOST);
    on(READY, Event.SUSPECTED, LOST);
    on(READY, Event.IDLE, DRAINING);
    on(READY, Event.EMPTIED, DRAINING);
    on(DRAINING, Event.STOP_FINISHED, STOPPED);
    on(LOST, Event.STOP_FINISHED, STOPPED);
    on(FAILED, Event.STOP_FINISHED, STOPPED);
  }

  private Lifecycle() { }

  private static void on(InstanceState from, Event event, InstanceState to) {
    TABLE.computeIfAbsent(from, f -> new EnumMap<>(Event.class)).put(event, to);
  }

  /** The state {@code event} leads to from {@code from}, or null when the event does not apply there. */
  public static InstanceState next(InstanceState from, Event event) {
    Map<Event, InstanceState> row = TABLE.get(from);
    return row == null ? null : row.get(event);
  }
}
