package chat.client;

import chat.protocol.SafeText;
import io.vertx.core.json.JsonObject;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * Standard output of the client. Lines are flushed one by one. While a command is being
 * answered, deliveries wait, so they are printed after the command's own lines and never
 * inside them; between commands they are printed as they arrive. Every line goes through
 * {@link SafeText}: text from the server or from other users never controls the terminal, and
 * a line printed is always exactly one line.
 */
final class Output {
  private final PrintStream out;
  private final List<Pending> pending = new ArrayList<>();
  private boolean busy;

  Output(PrintStream out) {
    this.out = out;
  }

  synchronized void beginCommand() {
    busy = true;
  }

  synchronized void print(List<String> lines) {
    for (String line : lines) {
      emit(line);
    }
    out.flush();
  }

  /** A delivery arrived on one of this client's subscriptions. */
  synchronized void deliver(JsonObject body, String line) {
    if (busy) {
      pending.add(new Pending(body, line));
      notifyAll();
    } else {
      emit(line);
      out.flush();
    }
  }

  /**
   * Ends a command: waits, at most {@code timeoutMillis}, until {@code expected} deliveries
   * matching {@code match} have arrived, then prints every delivery that waited.
   */
  synchronized void endCommand(Predicate<JsonObject> match, int expected, long timeoutMillis) throws InterruptedException {
    long deadline = System.currentTimeMillis() + timeoutMillis;
    while (expected > 0 && count(match) < expected) {
      long left = deadline - System.currentTimeMillis();
      if (left <= 0) {
        System.err.println("client: " + (expected - count(match)) + " expected deliveries did not arrive in time");
        break;
      }
      wait(left);
    }
    for (Pending p : pending) {
      emit(p.line);
    }
    out.flush();
    pending.clear();
    busy = false;
  }

  private void emit(String line) {
    out.println(SafeText.line(line));
  }

  private int count(Predicate<JsonObject> match) {
    int n = 0;
    for (Pending p : pending) {
      if (match.test(p.body)) {
        n++;
      }
    }
    return n;
  }

  private record Pending(JsonObject body, String line) { }
}
