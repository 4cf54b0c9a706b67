package chat.ops;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmCompilationMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmHeapPressureMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmInfoMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;

import java.util.ArrayList;
import java.util.List;

/**
 * The JVM's own figures in a process's registry: the meters Vert.x binds when its JVM metrics
 * are on (memory, collections and heap pressure, threads, classes, compilation, CPU, uptime),
 * bound by a worker verticle instead, beside the rest of the start: bound while Vert.x is
 * built they took 60-70 ms on the way to accepting connections (docs/PERFORMANCE.md, ninth
 * round); an application instance binds them when its metrics are first asked for (tenth
 * round). Undeployed with its Vert.x, it lets go of what it bound (the collectors' listeners).
 */
final class JvmMetrics extends VerticleBase {
  private final MeterRegistry registry;
  private final List<MeterBinder> bound = new ArrayList<>();

  JvmMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  @Override
  public Future<?> start() {
    for (MeterBinder binder : List.of(new ClassLoaderMetrics(), new JvmCompilationMetrics(), new JvmGcMetrics(),
        new JvmHeapPressureMetrics(), new JvmInfoMetrics(), new JvmMemoryMetrics(), new JvmThreadMetrics(),
        new ProcessorMetrics(), new UptimeMetrics())) {
      binder.bindTo(registry);
      bound.add(binder);
    }
    return Future.succeededFuture();
  }

  @Override
  public Future<?> stop() throws Exception {
    for (MeterBinder binder : bound) {
      if (binder instanceof AutoCloseable closeable) {
        closeable.close();
      }
    }
    return Future.succeededFuture();
  }
}
