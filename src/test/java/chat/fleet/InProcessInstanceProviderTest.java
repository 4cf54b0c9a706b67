package chat.fleet;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** In-process instances are verticles: stopping one is undeploying it, once. */
class InProcessInstanceProviderTest {
  private final Vertx vertx = Vertx.vertx();

  @AfterEach
  void stop() throws Exception {
    vertx.close().await(30, TimeUnit.SECONDS);
  }

  private InProcessInstanceProvider provider() {
    return new InProcessInstanceProvider(vertx, spec -> vertx.deployVerticle(new VerticleBase() { }));
  }

  private static InstanceSpec spec() {
    return new InstanceSpec("app-test", "amqp://127.0.0.1:1", "jdbc:hsqldb:mem:x", 10, "chat", Map.of(), null);
  }

  @Test
  void stoppingAnInstanceUndeploysIt() throws Exception {
    InProcessInstanceProvider provider = provider();
    String ref = provider.start(spec()).await(10, TimeUnit.SECONDS);
    assertTrue(vertx.deploymentIDs().contains(ref));
    provider.stop(ref).await(10, TimeUnit.SECONDS);
    assertFalse(vertx.deploymentIDs().contains(ref));
  }

  @Test
  void anInstanceAlreadyUndeployedWithItsParentStopsWithoutAnError() throws Exception {
    InProcessInstanceProvider provider = provider();
    String ref = provider.start(spec()).await(10, TimeUnit.SECONDS);
    vertx.undeploy(ref).await(10, TimeUnit.SECONDS);
    provider.stop(ref).await(10, TimeUnit.SECONDS);
    provider.close().await(10, TimeUnit.SECONDS);
  }
}
