package chat.ops;

import chat.protocol.Command;
import chat.protocol.Reply;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** Which meter a reply counts in, case by case. */
class CommandMetersTest {
  private final MeterRegistry registry = new SimpleMeterRegistry();

  private double replies(String role, String command, String outcome) {
    return registry.get("chat.command.replies").tags("role", role, "command", command, "outcome", outcome)
        .counter().count();
  }

  private long timed(String role, String command) {
    return registry.get("chat.command").tags("role", role, "command", command).timer().count();
  }

  @Test
  void aReplyCountsByItsStatusAndAFailureAsAnError() {
    CommandMeters app = new CommandMeters(registry, "app");
    long start = System.nanoTime();
    app.timed(Command.SEND, start, Future.succeededFuture(Reply.ok()));
    app.timed(Command.SEND, start, Future.succeededFuture(Reply.fail("Not login yet")));
    app.timed(Command.SEND, start, Future.failedFuture("store down"));
    assertEquals(1, replies("app", "send", "ok"));
    assertEquals(1, replies("app", "send", "failed"));
    assertEquals(1, replies("app", "send", "error"));
    assertEquals(3, timed("app", "send"));
  }

  @Test
  void anApplicationServerCountsLoginCommandsAndUnknownWordsAsOther() {
    CommandMeters app = new CommandMeters(registry, "app");
    app.timed(Command.LOGIN, System.nanoTime(), Future.succeededFuture(Reply.fail("x")));
    app.timed(null, System.nanoTime(), Future.succeededFuture(Reply.fail("Unknown command x")));
    assertEquals(2, replies("app", "other", "failed"));
    assertNull(registry.find("chat.command").tags("role", "app", "command", "login").timer());
  }

  @Test
  void theLoginServerCountsEveryCommand() {
    CommandMeters login = new CommandMeters(registry, "login");
    login.timed(Command.LOGIN, System.nanoTime(), Future.succeededFuture(Reply.ok()));
    login.timed(Command.SEND_GROUP, System.nanoTime(), Future.succeededFuture(Reply.ok()));
    assertEquals(1, replies("login", "login", "ok"));
    assertEquals(1, replies("login", "send-group", "ok"));
    assertEquals(0, replies("login", "other", "ok"));
  }
}
