package chat.client;

import chat.protocol.SafeText;
import io.vertx.core.json.JsonObject;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * What the client prints. Lines are flushed one by one. While a command is being answered,
 * deliveries wait, so they are printed after the command's own lines and never inside them;
 * between commands they are printed as they arrive. Every line goes through {@link SafeText}
 * before it reaches a {@link Printer}: text from the server or from other users never
 * controls the terminal, and a line printed is always exactly one line.
 */
final class Output {
  /** What a line is, so a terminal can show it apart; standard output prints them all alike. */
  enum Kind {
    /** a line of a successful reply */
    REPLY,
    /** the line of a failed reply */
    ERROR,
    /** a message another user sent */
    DELIVERY,
    /** the client's own diagnostics (standard error when not in a terminal) */
    NOTICE
  }

  /** Where lines go. {@code line} is given text already made safe. */
  interface Printer {
    void line(Kind kind, String safe);

    void flush();
  }

  private final Printer printer;
  private final List<Pending> pending = new ArrayList<>();
  private boolean busy;

  /** Standard output as the protocol prints it, diagnostics on standard error. */
  Output(PrintStream out) {
    this(plain(out));
  }

  Output(Printer printer) {
    this.printer = printer;
  }

  /** Every line on {@code out} as it is, notices on standard error: the output the reference suites check. */
  static Printer plain(PrintStream out) {
    return new Printer() {
      @Override
      public void line(Kind kind, String safe) {
        if (kind == Kind.NOTICE) {
          System.err.println(safe);
        } else {
          out.println(safe);
        }
      }

      @Override
      public void flush() {
        out.flush();
      }
    };
  }

  synchronized void beginCommand() {
    busy = true;
  }

  /** The lines of a reply; {@code ok} tells a successful reply from a failed one. */
  synchronized void print(List<String> lines, boolean ok) {
    for (String line : lines) {
      emit(ok ? Kind.REPLY : Kind.ERROR, line);
    }
    printer.flush();
  }

  /** Lines of the client's own, not of the protocol (help, say). */
  synchronized void print(List<String> lines) {
    print(lines, true);
  }

  /** A delivery arrived on one of this client's subscriptions. */
  synchronized void deliver(JsonObject body, String line) {
    if (busy) {
      pending.add(new Pending(body, line));
      notifyAll();
    } else {
      emit(Kind.DELIVERY, line);
      printer.flush();
    }
  }

  /** A diagnostic of the client's own; it may quote remote text, so it is made safe too. */
  synchronized void notice(String line) {
    emit(Kind.NOTICE, line);
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
        notice("client: " + (expected - count(match)) + " expected deliveries did not arrive in time");
        break;
      }
      wait(left);
    }
    for (Pending p : pending) {
      emit(Kind.DELIVERY, p.line);
    }
    printer.flush();
    pending.clear();
    busy = false;
  }

  private void emit(Kind kind, String line) {
    printer.line(kind, SafeText.line(line));
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
