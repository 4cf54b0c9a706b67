package chat.fleet;

/**
 * The life of an application instance in the fleet. {@link Lifecycle} says which event moves
 * an instance from one state to the next; an instance leaves the registry only on
 * {@link #STOPPED}, once its provider has stopped it.
 */
public enum InstanceState {
  /** Asked of the provider; not registered yet. Its capacity counts as pending. */
  STARTING,
  /** Registered and sending heartbeats: takes users. */
  READY,
  /** Idle past the grace period: takes no users, being stopped through the provider. */
  DRAINING,
  /** Its heartbeats stopped (or it could not be reached): its users are handed to other instances while it is stopped. */
  LOST,
  /** It could not be started, or did not register in time: being stopped, its waiting logins refused. */
  FAILED,
  /** Stopped through the provider: gone from the registry. */
  STOPPED;

  /** Whether the instance may take users. */
  public boolean inService() {
    return this == STARTING || this == READY;
  }
}
