package chat.app;

import chat.config.TlsOptions;
import chat.fleet.FleetAgent;
import chat.fleet.FleetControl;
import chat.messaging.BrokerLink;
import chat.wire.RequestVerticle;
import chat.wire.WireOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;

import java.util.concurrent.atomic.LongAdder;

/**
 * One application instance: the application server and, once it listens, the fleet agent
 * that registers it. Undeploying this undeploys both.
 */
public final class AppInstanceVerticle extends VerticleBase {
  private final AppService service;
  private final WireOptions wire;
  private final BrokerLink link;
  private final String instanceId;
  private final String bindHost;
  private final int port;
  private final String advertiseHost;
  private final int capacity;
  private final long heartbeatMillis;
  private final FleetControl.Signer signer;
  private final TlsOptions tls;
  private int actualPort;

  /**
   * {@code link} is the process's link to the broker, which the fleet agent shares;
   * {@code signer} signs the instance's fleet messages; {@code tls} is the pair it serves with.
   */
  public AppInstanceVerticle(AppService service, WireOptions wire, BrokerLink link, String instanceId,
                             String bindHost, int port, String advertiseHost, int capacity, long heartbeatMillis,
                             FleetControl.Signer signer, TlsOptions tls) {
    this.signer = signer;
    this.service = service;
    this.wire = wire;
    this.link = link;
    this.instanceId = instanceId;
    this.bindHost = bindHost;
    this.port = port;
    this.advertiseHost = advertiseHost;
    this.capacity = capacity;
    this.heartbeatMillis = heartbeatMillis;
    this.tls = tls;
  }

  @Override
  public Future<?> start() {
    LongAdder answered = new LongAdder();
    RequestVerticle app = new RequestVerticle("application server " + instanceId, (text, local, remote) -> {
      answered.increment();
      return service.handle(text, local);
    }, wire, bindHost, port, tls);
    return vertx.deployVerticle(app).compose(id -> {
      actualPort = app.port();
      return vertx.deployVerticle(new FleetAgent(link, instanceId, advertiseHost, actualPort, capacity,
          heartbeatMillis, signer, answered::sum));
    });
  }

  public int port() {
    return actualPort;
  }
}
