package chat.fleet;

import io.vertx.amqp.AmqpMessage;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import chat.messaging.BrokerLink;
import chat.messaging.BrokerOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.management.ManagementFactory;
import java.util.function.LongSupplier;

/**
 * The application instance's side of the fleet: registers over the broker, then sends a
 * heartbeat every interval. A lost broker connection is re-opened, and the instance registers
 * again, so a restarted login role finds every instance that is still running. Each heartbeat
 * reports the load of the interval before it: the requests answered per second, and the CPU
 * its process used as a share of the machine (for instances inside the login role's process,
 * that process's CPU).
 */
public final class FleetAgent extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(FleetAgent.class);

  private final BrokerOptions broker;
  private final String id;
  private final String host;
  private final int port;
  private final int capacity;
  private final long intervalMillis;
  private final String secret;
  private final LongSupplier requests;
  private long lastRequests;
  private long lastCpuNanos = -1;
  private long lastNanos;
  private BrokerLink link;
  private long timer;

  /** {@code requests} counts the requests the instance has answered so far. */
  public FleetAgent(BrokerOptions broker, String id, String host, int port, int capacity, long intervalMillis,
                    String secret, LongSupplier requests) {
    this.secret = secret;
    this.requests = requests;
    this.broker = broker;
    this.id = id;
    this.host = host;
    this.port = port;
    this.capacity = capacity;
    this.intervalMillis = intervalMillis;
  }

  @Override
  public Future<?> start() {
    measure();
    // every (re)connect registers anew, so a restarted or failed-over login role finds this instance
    link = BrokerLink.service(vertx, broker, "instance " + id).onConnect(v -> register());
    timer = vertx.setPeriodic(intervalMillis, t -> beat());
    return link.connect().onSuccess(v -> LOG.info("instance {} registering at {}:{} (capacity {})", id, host, port, capacity))
        .recover(e -> {
          LOG.warn("instance {} cannot reach the broker yet ({}); will keep trying", id, e.getMessage());
          return Future.succeededFuture();
        });
  }

  private void register() {
    send(FleetControl.REGISTER).onFailure(e -> LOG.debug("register failed: {}", e.getMessage()));
  }

  private void beat() {
    if (link.connected()) {
      send(FleetControl.HEARTBEAT).onFailure(e -> LOG.debug("heartbeat failed: {}", e.getMessage()));
    }
  }

  private Future<Void> send(String type) {
    AmqpMessage m = AmqpMessage.create()
        .address(FleetControl.ADDRESS)
        .withJsonObjectAsBody(FleetControl.message(type, id, host, port, capacity, measure(), secret))
        .durable(false)
        .ttl(Math.max(5_000, intervalMillis * 5))
        .build();
    return link.send(m);
  }

  /** The load since the last call. */
  private FleetState.Load measure() {
    long now = System.nanoTime();
    long count = requests.getAsLong();
    long cpu = ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os
        ? os.getProcessCpuTime() : -1;
    double seconds = (now - lastNanos) / 1e9;
    FleetState.Load load = lastCpuNanos < 0 || seconds <= 0 ? new FleetState.Load(0, 0)
        : new FleetState.Load(cpu < 0 ? 0 : (cpu - lastCpuNanos) / 1e9 / seconds
            / Runtime.getRuntime().availableProcessors(), (count - lastRequests) / seconds);
    lastNanos = now;
    lastRequests = count;
    lastCpuNanos = Math.max(0, cpu);
    return load;
  }

  @Override
  public Future<?> stop() {
    vertx.cancelTimer(timer);
    return link.close();
  }
}
