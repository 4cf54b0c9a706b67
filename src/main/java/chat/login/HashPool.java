package chat.login;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;

import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Where password hashes run: a fixed number of threads, each holding one hash's memory at a
 * time, and a bounded number of hashes waiting. Past that bound a hash is refused at once
 * ({@link Busy}) instead of queueing, so a crowd of logins costs latency up to a limit and
 * never memory.
 */
public final class HashPool {
  private final WorkerExecutor executor;
  private final int limit;
  private final AtomicInteger inFlight = new AtomicInteger();

  public HashPool(Vertx vertx, int threads, int queue) {
    if (threads < 1 || queue < 0) {
      throw new IllegalArgumentException("hash pool needs at least one thread and a queue of 0 or more");
    }
    this.executor = vertx.createSharedWorkerExecutor("chat-password-hash", threads);
    this.limit = threads + queue;
  }

  /** The number of threads to use when the setting is 0: one per core. */
  public static int threads(int setting) {
    return setting > 0 ? setting : Runtime.getRuntime().availableProcessors();
  }

  /** Runs {@code work} on a hash thread, or fails with {@link Busy} when the pool and its queue are full. */
  public <T> Future<T> submit(Callable<T> work) {
    if (inFlight.incrementAndGet() > limit) {
      inFlight.decrementAndGet();
      return Future.failedFuture(new Busy());
    }
    return executor.executeBlocking(work, false).andThen(x -> inFlight.decrementAndGet());
  }

  public Future<Void> close() {
    return executor.close();
  }

  /** Every hash thread is busy and the queue is full. */
  public static final class Busy extends RuntimeException {
    Busy() {
      super("password hashing is at capacity", null, false, false);
    }
  }
}
