package chat.support;

import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.fail;

/** Waiting on a condition, never on a fixed sleep: polled until it holds or the time is up. */
public final class Conditions {
  private Conditions() { }

  /** A condition that may throw. */
  @FunctionalInterface
  public interface Check {
    boolean holds() throws Exception;
  }

  /** Waits until {@code check} holds; fails naming {@code what} after {@code millis}. */
  public static void await(String what, long millis, Check check) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
    while (!check.holds()) {
      if (System.nanoTime() > deadline) {
        fail("not within " + millis + " ms: " + what);
      }
      Thread.sleep(20);
    }
  }
}
