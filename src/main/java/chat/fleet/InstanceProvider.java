package chat.fleet;

import io.vertx.core.Future;

import java.util.List;

/**
 * Starts and stops application instances. The fleet never learns of an instance from the
 * provider: a started instance announces itself by registering over the broker, so local
 * processes, EC2 instances and tests all go through the same path.
 */
public interface InstanceProvider {

  /** Short name used in logs and config: {@code local}, {@code ec2}, {@code inprocess}. */
  String name();

  /**
   * Asks for one new application instance. Completes with the provider's own reference to it
   * (a process id, an EC2 instance id) once the request is accepted, not once it is ready.
   */
  Future<String> start(InstanceSpec spec);

  /** Stops the instance the provider knows by {@code providerRef}; stopping a gone one succeeds. */
  Future<Void> stop(String providerRef);

  /**
   * Instances that a previous run of the login role left behind (by tag, by pid file), so they
   * can be adopted when they register again, or cleaned up.
   */
  Future<List<Leftover>> leftovers();

  /**
   * The provider's reference to the running instance with fleet id {@code instanceId}, or null
   * when it finds none: one whose reference this login server does not know (another login
   * server started it and lost the fleet before recording it), that registered or is given up.
   * Found this way, it is this provider's to stop from then on, on {@link #close()} too.
   */
  Future<String> locate(String instanceId);

  /** Releases what the provider holds; local providers stop every instance they started. */
  Future<Void> close();

  /** An instance found at start-up: its provider reference and the fleet id it was given. */
  record Leftover(String providerRef, String instanceId) { }
}
