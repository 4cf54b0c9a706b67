package chat.ops;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.AsyncResult;

import java.util.concurrent.TimeUnit;

/**
 * Deliveries handed to the broker: {@code chat_deliveries_published_seconds}, the time from the
 * publish to the broker's acceptance (a histogram, its count the deliveries published), and
 * {@code chat_deliveries_failed_total}, those the broker did not take.
 */
public final class DeliveryMeters {
  private final Timer published;
  private final Counter failed;

  DeliveryMeters(MeterRegistry registry) {
    published = Timer.builder("chat.deliveries.published")
        .description("deliveries the broker accepted, from publish to acceptance")
        .serviceLevelObjectives(CommandMeters.BUCKETS).register(registry);
    failed = Counter.builder("chat.deliveries.failed").description("deliveries the broker did not accept")
        .register(registry);
  }

  /** A publish begun at {@code startNanos} has completed with {@code result}. */
  public void published(long startNanos, AsyncResult<?> result) {
    if (result.succeeded()) {
      published.record(System.nanoTime() - startNanos, TimeUnit.NANOSECONDS);
    } else {
      failed.increment();
    }
  }
}
