package chat.ops;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.healthchecks.HealthChecks;
import io.vertx.ext.healthchecks.Status;

import java.util.function.Supplier;

/**
 * Liveness and readiness of one role. Live: its event loop answers. Ready: it has finished
 * starting and every part it needs answers now (the store, the broker and, on the login role,
 * the fleet); each part is asked afresh at every request, one question at a time.
 */
public final class Health {
  /** How long a part may take to answer before it counts as down. */
  public static final long TIMEOUT_MILLIS = 3_000;

  private final Vertx vertx;
  private final HealthChecks live;
  private final HealthChecks ready;
  private volatile boolean started;

  public Health(Vertx vertx) {
    this.vertx = vertx;
    live = HealthChecks.create(vertx).register("event-loop", p -> p.complete(Status.OK()));
    ready = HealthChecks.create(vertx).register("started", p -> p.complete(started ? Status.OK()
        : Status.KO(new JsonObject().put("reason", "starting"))));
  }

  /**
   * Makes readiness depend on {@code part}: ready while {@code probe} succeeds within
   * {@link #TIMEOUT_MILLIS}; a part that fails or does not answer in time is down (503). A
   * probe still running when asked again is waited for rather than started twice, so a slow
   * part does not pile up probes.
   */
  public Health needs(String part, Supplier<Future<?>> probe) {
    // the checks' own time limit is a backstop: past it, the answer would be 500, not 503
    ready.register(part, TIMEOUT_MILLIS + 2_000, new Probe(probe)::check);
    return this;
  }

  /** The role has started: readiness now depends on its parts alone. */
  public void started() {
    started = true;
  }

  public HealthChecks live() {
    return live;
  }

  public HealthChecks ready() {
    return ready;
  }

  /** One part's probe, never more than one run at a time. */
  private final class Probe {
    private final Supplier<Future<?>> probe;
    private Future<?> running;

    Probe(Supplier<Future<?>> probe) {
      this.probe = probe;
    }

    synchronized void check(io.vertx.core.Promise<Status> result) {
      if (running == null || running.isComplete()) {
        try {
          running = probe.get();
        } catch (RuntimeException e) {
          running = Future.failedFuture(e);
        }
      }
      long timer = vertx.setTimer(TIMEOUT_MILLIS, t -> result.tryComplete(
          Status.KO(new JsonObject().put("reason", "no answer within " + TIMEOUT_MILLIS + " ms"))));
      running.onComplete(ar -> {
        vertx.cancelTimer(timer);
        result.tryComplete(ar.succeeded() ? Status.OK()
            : Status.KO(new JsonObject().put("reason", String.valueOf(ar.cause().getMessage()))));
      });
    }
  }
}
