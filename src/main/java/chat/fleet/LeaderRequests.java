package chat.fleet;

import chat.messaging.BrokerLink;
import chat.messaging.BrokerPolicy;
import io.vertx.amqp.AmqpMessage;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Fleet requests between login servers, over the broker: a login server that does not drive
 * the fleet sends each of its requests to the one that does, the leader ({@link #forward}),
 * which reads them from {@link #ADDRESS} while it leads ({@link #serve}) and sends each answer
 * back to the asking server's own reply queue. Requests and answers are JSON objects, sent
 * non-durable with a time to live; the broker lets only login servers send to or read these
 * queues. The leader also sends each fleet event to {@link #EVENTS}, a topic every login
 * server reads, so that the fleet page of any of them shows what happens as it happens. Login
 * servers of the same version interoperate: the addresses and message fields are part of the
 * service.
 *
 * <p>Not thread-safe: used from the fleet verticle's context, on which it handles what the
 * link (the process's, shared) delivers and completes.
 */
final class LeaderRequests {
  /** Fleet requests from login servers that do not lead, read by the one that does. */
  static final String ADDRESS = "queue://" + BrokerPolicy.LOGIN_PREFIX + "requests";
  /** The leader's fleet events, for every login server. */
  static final String EVENTS = "topic://" + BrokerPolicy.LOGIN_PREFIX + "events";
  /** How long an event waits in the broker: a page shows events as they happen, not late. */
  private static final long EVENT_TTL_MILLIS = 10_000;
  /** Where the answers to a login server's requests go: this, then the server's name. */
  private static final String REPLY_PREFIX = "queue://" + BrokerPolicy.LOGIN_PREFIX + "reply.";
  /** How long an answer waits in the broker for the server that asked. */
  private static final long ANSWER_TTL_MILLIS = 30_000;
  private static final Logger LOG = LoggerFactory.getLogger("fleet");

  private final Vertx vertx;
  private final Context context;
  private final BrokerLink link;
  private final String serverId;
  private final String replyAddress;
  private final long timeoutMillis;
  private final Function<JsonObject, Future<JsonObject>> leader;
  /** Requests sent to the leader and not answered yet, by message id. */
  private final Map<String, Promise<JsonObject>> waiting = new HashMap<>();
  private long next;

  /**
   * @param context       the fleet verticle's, on which everything here runs
   * @param serverId      this login server, as request ids and its reply queue name it
   * @param timeoutMillis how long a forwarded request waits for its answer (and lives in the broker)
   * @param leader        answers a request forwarded to this server: {"answer": ...} or {"error": ...};
   *                      an answer that fails is not sent (this server does not lead), the asker's
   *                      request times out
   */
  LeaderRequests(Vertx vertx, Context context, BrokerLink link, String serverId, long timeoutMillis,
                 Function<JsonObject, Future<JsonObject>> leader) {
    this.vertx = vertx;
    this.context = context;
    this.link = link;
    this.serverId = serverId;
    this.replyAddress = REPLY_PREFIX + serverId;
    this.timeoutMillis = timeoutMillis;
    this.leader = leader;
  }

  /**
   * Receives the answers to this server's requests, and the events of the other servers'
   * fleet, each given to {@code events}: completes once nothing sent afterwards is missed.
   */
  Future<Void> start(Consumer<JsonObject> events) {
    // both at once: a receiver's attach is a round trip to the broker
    return Future.all(link.receive(context, replyAddress, this::onAnswer), link.receive(context, EVENTS, message -> {
      JsonObject event = BrokerLink.jsonBody(message);
      if (event != null && !serverId.equals(event.getString("server"))) {
        events.accept(event);
      }
    })).mapEmpty();
  }

  /** Stops receiving anything: the link is the process's, and stays open. */
  void stop() {
    link.stopReceiving(replyAddress);
    link.stopReceiving(EVENTS);
    stopServing();
  }

  /** Sends a fleet event of this server, the leader, to the other login servers; one lost is only a line less on a page. */
  void publish(JsonObject event) {
    link.send(AmqpMessage.create().address(EVENTS).withJsonObjectAsBody(event.copy().put("server", serverId))
            .durable(false).ttl(EVENT_TTL_MILLIS).build())
        .onFailure(e -> LOG.debug("fleet event not sent to the other login servers: {}", e.getMessage()));
  }

  /** Sends {@code request} to the leader; its answer comes back on this server's reply queue. */
  Future<JsonObject> forward(JsonObject request) {
    String id = serverId + "-" + next++;
    Promise<JsonObject> answer = Promise.promise();
    waiting.put(id, answer);
    long timer = vertx.setTimer(timeoutMillis, t -> answer.tryFail("no login server drives the fleet (no answer in "
        + timeoutMillis + " ms)"));
    BrokerLink.on(context, link.send(AmqpMessage.create().address(ADDRESS).id(id).replyTo(replyAddress)
            .withJsonObjectAsBody(request).durable(false).ttl(timeoutMillis).build()))
        .onFailure(answer::tryFail);
    return answer.future().onComplete(x -> {
      vertx.cancelTimer(timer);
      waiting.remove(id);
    });
  }

  /** This server leads: it reads the other servers' requests. */
  Future<Void> serve() {
    return link.receive(context, ADDRESS, this::onRequest);
  }

  /** This server no longer leads: the requests are left to the next leader. */
  void stopServing() {
    link.stopReceiving(ADDRESS);
  }

  /** The leader's answer to a request of this server. */
  private void onAnswer(AmqpMessage message) {
    Promise<JsonObject> answer = message.correlationId() == null ? null : waiting.get(message.correlationId());
    if (answer != null) {
      JsonObject body = BrokerLink.jsonBody(message);
      if (body != null) {
        answer.tryComplete(body);
      } else {
        answer.tryFail("unreadable answer from the login server that drives the fleet");
      }
    }
  }

  /** A request of another login server (the broker lets only login servers send it). */
  private void onRequest(AmqpMessage message) {
    String replyTo = message.replyTo();
    if (replyTo == null || !replyTo.startsWith(REPLY_PREFIX)) {
      return;
    }
    JsonObject request = BrokerLink.jsonBody(message);
    if (request == null) {
      LOG.warn("fleet event=refused unreadable forwarded request");
      return;
    }
    leader.apply(request).onSuccess(answer -> link.send(AmqpMessage.create().address(replyTo)
        .correlationId(message.id()).withJsonObjectAsBody(answer).durable(false).ttl(ANSWER_TTL_MILLIS).build()));
  }
}
