package chat.ops;

import chat.protocol.Command;
import chat.protocol.Reply;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * How many requests of each command a role answered, how (ok, failed as the protocol says, or an
 * error), and how long each took: {@code chat_command_seconds{role,command}} (a histogram) and
 * {@code chat_command_replies_total{role,command,outcome}}. Every meter is registered up front and
 * found by the command's ordinal, so recording builds no tags and no text.
 */
public final class CommandMeters {
  static final String OTHER = "other";
  private static final String[] OUTCOMES = {"ok", "failed", "error"};
  private static final int OK = 0;
  private static final int FAILED = 1;
  private static final int ERROR = 2;

  /** Latency buckets, from a quarter of a millisecond to ten seconds. */
  static final Duration[] BUCKETS = {Duration.ofNanos(250_000), Duration.ofNanos(500_000),
      Duration.ofMillis(1), Duration.ofNanos(2_500_000), Duration.ofMillis(5), Duration.ofMillis(10),
      Duration.ofMillis(25), Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250),
      Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofMillis(2500), Duration.ofSeconds(5),
      Duration.ofSeconds(10)};

  /** Indexed by a command's ordinal: where its meters are in {@link #timers} and {@link #replies}. */
  private final int[] slot;
  private final int other;
  private final Timer[] timers;
  private final Counter[][] replies;

  /**
   * The login role answers every command (it forwards the application's); an application
   * server only its own, and counts the login role's with requests of no known command.
   */
  CommandMeters(MeterRegistry registry, String role) {
    Command[] commands = Command.values();
    List<String> names = new ArrayList<>();
    slot = new int[commands.length];
    for (Command c : commands) {
      slot[c.ordinal()] = role.equals("app") && c.role != Command.Role.APP ? -1 : names.size();
      if (slot[c.ordinal()] >= 0) {
        names.add(c.word);
      }
    }
    other = names.size();
    names.add(OTHER);
    for (int i = 0; i < slot.length; i++) {
      if (slot[i] < 0) {
        slot[i] = other;
      }
    }
    timers = new Timer[names.size()];
    replies = new Counter[names.size()][OUTCOMES.length];
    for (int i = 0; i < names.size(); i++) {
      timers[i] = Timer.builder("chat.command").description("time from a request to its reply")
          .tags("role", role, "command", names.get(i))
          .serviceLevelObjectives(BUCKETS)
          .register(registry);
      for (int o = 0; o < OUTCOMES.length; o++) {
        replies[i][o] = Counter.builder("chat.command.replies").description("replies by outcome")
            .tags("role", role, "command", names.get(i), "outcome", OUTCOMES[o]).register(registry);
      }
    }
  }

  /** Records {@code reply}, a request of {@code command} (null: none known) begun at {@code startNanos}. */
  public Future<JsonObject> timed(Command command, long startNanos, Future<JsonObject> reply) {
    int i = command == null ? other : slot[command.ordinal()];
    return reply.onComplete(ar -> record(i, startNanos, ar));
  }

  private void record(int i, long startNanos, AsyncResult<JsonObject> ar) {
    timers[i].record(System.nanoTime() - startNanos, TimeUnit.NANOSECONDS);
    int outcome = ar.failed() ? ERROR : Reply.isOk(ar.result()) ? OK : FAILED;
    replies[i][outcome].increment();
  }
}
