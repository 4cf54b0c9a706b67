package chat.fleet;

import io.vertx.amqp.AmqpMessage;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import chat.messaging.BrokerLink;
import io.vertx.core.Handler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.management.ManagementFactory;
import java.util.function.LongSupplier;

/**
 * The application instance's side of the fleet: registers over the broker, then sends a
 * heartbeat every interval. A lost broker connection is re-opened, and the instance registers
 * again, so a restarted login role finds every instance that is still running. The agent
 * sends through its process's {@link BrokerLink}, which it shares with the process's messenger
 * and with the other instances of the process (in-process instances): one AMQP connection a
 * process, not one an instance, on both the instance's and the broker's side. Each heartbeat
 * reports the load of the interval before it: the requests answered per second, and the CPU
 * its process used as a share of the machine (for instances inside the login role's process,
 * that process's CPU).
 */
public final class FleetAgent extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(FleetAgent.class);

  private final BrokerLink link;
  private final String id;
  private final String host;
  private final int port;
  private final int capacity;
  private final long intervalMillis;
  private final FleetControl.Signer signer;
  private final LongSupplier requests;
  private long lastRequests;
  private long lastCpuNanos = -1;
  private long lastNanos;
  private Handler<Void> reconnected;
  private long timer;

  /**
   * {@code link} is the process's link to the broker (the agent never closes it);
   * {@code requests} counts the requests the instance has answered so far.
   */
  public FleetAgent(BrokerLink link, String id, String host, int port, int capacity, long intervalMillis,
                    FleetControl.Signer signer, LongSupplier requests) {
    this.signer = signer;
    this.requests = requests;
    this.link = link;
    this.id = id;
    this.host = host;
    this.port = port;
    this.capacity = capacity;
    this.intervalMillis = intervalMillis;
  }

  @Override
  public Future<?> start() {
    measure();
    // every reconnect registers anew, so a restarted or failed-over broker or login role finds
    // this instance; on this agent's own context, which its load figures belong to
    reconnected = v -> context.runOnContext(x -> register());
    link.onConnect(reconnected);
    timer = vertx.setPeriodic(intervalMillis, t -> beat());
    // the link may be open already (another instance of this process opened it): register now;
    // if this connect opens it, the instance registers twice at once, which the fleet takes as one
    return link.connect().onSuccess(v -> {
          LOG.info("instance {} registering at {}:{} (capacity {})", id, host, port, capacity);
          register();
        })
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
        .withJsonObjectAsBody(FleetControl.message(type, id, host, port, capacity, measure(), signer))
        .durable(false)
        .ttl(Math.max(5_000, intervalMillis * 5))
        .build();
    return link.send(m);
  }

  /** The load since the last call. */
  private FleetState.Load measure() {
    long now = System.nanoTime();
    long count = requests.getAsLong();
    long cpu = processCpuNanos();
    double seconds = (now - lastNanos) / 1e9;
    FleetState.Load load = lastCpuNanos < 0 || seconds <= 0 ? new FleetState.Load(0, 0)
        : new FleetState.Load(cpu < 0 ? 0 : (cpu - lastCpuNanos) / 1e9 / seconds
            / Runtime.getRuntime().availableProcessors(), (count - lastRequests) / seconds);
    lastNanos = now;
    lastRequests = count;
    lastCpuNanos = Math.max(0, cpu);
    return load;
  }

  /**
   * The CPU this process has used, in nanoseconds, or -1 where the JVM does not say. The first
   * reading in a JVM sets up its management beans (15-20 ms): an instance makes it beside its
   * start, with its signer, rather than on its way to registering.
   */
  public static long processCpuNanos() {
    return ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os
        ? os.getProcessCpuTime() : -1;
  }

  @Override
  public Future<?> stop() {
    vertx.cancelTimer(timer);
    link.removeOnConnect(reconnected);
    return Future.succeededFuture();
  }
}
