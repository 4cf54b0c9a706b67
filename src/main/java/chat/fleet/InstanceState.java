package chat.fleet;

/** The life of an application instance in the fleet. */
public enum InstanceState {
  /** Asked of the provider; not registered yet. Its capacity counts as pending. */
  STARTING,
  /** Registered and sending heartbeats: takes users. */
  READY,
  /** Takes no new users; being stopped through the provider. */
  DRAINING,
  /** Stopped by the fleet. */
  STOPPED,
  /** Its heartbeats stopped; its users are handed to other instances. */
  LOST
}
