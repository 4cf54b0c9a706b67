package chat.fleet;

import io.vertx.core.Future;
import io.vertx.core.Vertx;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Application instances inside the login role's own process: an application verticle and
 * its fleet agent, deployed on demand. They register over the broker like any other
 * instance; only the cost of a new process is saved.
 */
public final class InProcessInstanceProvider implements InstanceProvider {
  private final Vertx vertx;
  private final Function<InstanceSpec, Future<String>> deployer;
  private final Map<String, String> deployments = new ConcurrentHashMap<>();

  /** {@code deployer} deploys an instance and completes with its deployment id. */
  public InProcessInstanceProvider(Vertx vertx, Function<InstanceSpec, Future<String>> deployer) {
    this.vertx = vertx;
    this.deployer = deployer;
  }

  @Override
  public String name() {
    return "inprocess";
  }

  @Override
  public Future<String> start(InstanceSpec spec) {
    return deployer.apply(spec).map(id -> {
      deployments.put(id, spec.instanceId());
      return id;
    });
  }

  /**
   * An instance deployed from the fleet verticle's context is undeployed with it: one already
   * gone that way is stopped.
   */
  @Override
  public Future<Void> stop(String ref) {
    return deployments.remove(ref) == null || !vertx.deploymentIDs().contains(ref) ? Future.succeededFuture()
        : vertx.undeploy(ref);
  }

  /** Only an instance deployed in this Vert.x: one of another login server's runs in that server's JVM. */
  @Override
  public Future<String> locate(String instanceId) {
    return Future.succeededFuture(deployments.entrySet().stream().filter(e -> e.getValue().equals(instanceId))
        .map(Map.Entry::getKey).findFirst().orElse(null));
  }

  @Override
  public Future<List<Leftover>> leftovers() {
    return Future.succeededFuture(List.of());
  }

  @Override
  public Future<Void> close() {
    Future<Void> all = Future.succeededFuture();
    for (String ref : List.copyOf(deployments.keySet())) {
      all = all.compose(v -> stop(ref));
    }
    return all;
  }
}
