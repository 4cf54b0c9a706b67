package chat.login;

import chat.fleet.FleetVerticle;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * The live fleet page of the admin endpoint. {@code GET /} serves the page, {@code GET /fleet.js}
 * and {@code GET /fleet.css} its script and style (resources of the jar, read once, served from
 * memory). {@code GET /events} is a stream of server-sent events: {@code history}, the samples of
 * the last minutes for the chart, once at connection; {@code snapshot}, the instances as
 * {@link FleetVerticle#SNAPSHOT} lists them with the figures of the moment, every second and after
 * each fleet event; {@code fleet}, each event the fleet publishes on {@link FleetVerticle#EVENTS},
 * as it happens. The fleet itself is only read through those two addresses.
 */
final class FleetPage {
  static final long SAMPLE_MILLIS = 1_000;
  /** The chart's span; samples older than this are dropped. */
  static final long HISTORY_MILLIS = 10 * 60_000;
  /** Samples kept at most, however many events come in the span. */
  private static final int HISTORY_MAX = 3_000;
  private static final String RESOURCES = "chat/admin/";

  private static final Buffer HTML = resource("index.html");
  private static final Buffer SCRIPT = resource("fleet.js");
  private static final Buffer STYLE = resource("fleet.css");

  private final Vertx vertx;
  /** {@code {"at": millis, "users": n, "instances": n}}, oldest first. */
  private final Deque<JsonObject> history = new ArrayDeque<>();
  private final Set<HttpServerResponse> streams = new LinkedHashSet<>();
  private final MessageConsumer<JsonObject> events;
  private final long sampler;

  FleetPage(Vertx vertx) {
    this.vertx = vertx;
    this.events = vertx.eventBus().localConsumer(FleetVerticle.EVENTS, this::onFleetEvent);
    this.sampler = vertx.setPeriodic(SAMPLE_MILLIS, t -> sample());
  }

  void mount(Router router) {
    router.get("/").handler(ctx -> serve(ctx, "text/html; charset=utf-8", HTML));
    router.get("/fleet.js").handler(ctx -> serve(ctx, "text/javascript; charset=utf-8", SCRIPT));
    router.get("/fleet.css").handler(ctx -> serve(ctx, "text/css; charset=utf-8", STYLE));
    router.get("/events").handler(this::stream);
  }

  private static void serve(RoutingContext ctx, String type, Buffer body) {
    ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, type).end(body);
  }

  /** A new event stream: the chart's history, then everything as it comes. */
  private void stream(RoutingContext ctx) {
    HttpServerResponse res = ctx.response();
    res.setChunked(true).putHeader(HttpHeaders.CONTENT_TYPE, "text/event-stream; charset=utf-8");
    res.closeHandler(v -> streams.remove(res));
    res.exceptionHandler(e -> streams.remove(res));
    streams.add(res);
    res.write("retry: 2000\n\n");
    send(res, "history", new JsonArray(history.stream().toList()).encode());
    sample();
  }

  private void onFleetEvent(Message<JsonObject> m) {
    broadcast("fleet", m.body().encode());
    sample();
  }

  /** Asks the fleet for its instances, keeps the figures for the chart and sends both to every stream. */
  private void sample() {
    vertx.eventBus().<JsonObject>request(FleetVerticle.SNAPSHOT, null).onComplete(ar -> {
      long now = System.currentTimeMillis();
      if (ar.failed()) {
        broadcast("snapshot", new JsonObject().put("at", now).put("error", "fleet unavailable").encode());
        return;
      }
      JsonArray instances = ar.result().body().getJsonArray("instances", new JsonArray());
      int users = 0;
      for (int i = 0; i < instances.size(); i++) {
        users += instances.getJsonObject(i).getInteger("users", 0);
      }
      JsonObject figures = new JsonObject().put("at", now).put("users", users).put("instances", instances.size());
      remember(figures);
      broadcast("snapshot", figures.copy().put("list", instances).encode());
    });
  }

  private void remember(JsonObject figures) {
    history.addLast(figures);
    long oldest = figures.getLong("at") - HISTORY_MILLIS;
    while (history.size() > HISTORY_MAX || history.getFirst().getLong("at") < oldest) {
      history.removeFirst();
    }
  }

  private void broadcast(String event, String data) {
    for (HttpServerResponse res : streams.toArray(new HttpServerResponse[0])) {
      send(res, event, data);
    }
  }

  /** One event; a reader that does not keep up is disconnected rather than buffered without end. */
  private void send(HttpServerResponse res, String event, String data) {
    if (res.writeQueueFull()) {
      streams.remove(res);
      res.reset();
      return;
    }
    // encoded JSON holds no line break, so it is one data line
    res.write("event: " + event + "\ndata: " + data + "\n\n");
  }

  void close() {
    vertx.cancelTimer(sampler);
    events.unregister();
    streams.forEach(HttpServerResponse::end);
    streams.clear();
  }

  private static Buffer resource(String name) {
    try (InputStream in = FleetPage.class.getClassLoader().getResourceAsStream(RESOURCES + name)) {
      if (in == null) {
        throw new IllegalStateException("missing resource " + RESOURCES + name);
      }
      return Buffer.buffer(in.readAllBytes());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
