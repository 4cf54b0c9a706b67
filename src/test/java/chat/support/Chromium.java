package chat.support;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Debian's Chromium, headless, with a fresh profile, driven over the DevTools protocol through a
 * Vert.x WebSocket on loopback: the browser's own connection, and on it a session of one tab it
 * opens. Closing it closes the browser and stops every process it started.
 */
public final class Chromium implements AutoCloseable {
  public static final Path BINARY = Path.of("/usr/bin/chromium");
  private static final Duration START = Duration.ofSeconds(30);
  private static final long CALL_SECONDS = 30;

  private final Process process;
  private final Vertx vertx;
  /** Held for as long as the socket is used: a client nobody holds is closed, its WebSockets with it. */
  private final WebSocketClient client;
  private final WebSocket socket;
  private final AtomicLong ids = new AtomicLong();
  private final Map<Long, Promise<JsonObject>> pending = new ConcurrentHashMap<>();
  private final Map<String, Consumer<JsonObject>> listeners = new ConcurrentHashMap<>();
  /** The DevTools session of the tab: every page command goes to it. */
  private volatile String session;
  /** Why the DevTools connection closed, once it has. */
  private volatile String closed;

  private Chromium(Process process, Vertx vertx, WebSocketClient client, WebSocket socket) {
    this.process = process;
    this.vertx = vertx;
    this.client = client;
    this.socket = socket;
    socket.textMessageHandler(this::onMessage);
    socket.closeHandler(v -> {
      closed = "the DevTools connection closed (" + socket.closeStatusCode() + " " + socket.closeReason() + ")";
      pending.values().forEach(p -> p.tryFail(closed));
      pending.clear();
    });
  }

  /**
   * Skips the calling test when {@link #BINARY} is missing, unless the environment variable CI is
   * {@code true}: CI installs Chromium ({@code .ci/run}), so there its absence is a failure.
   */
  public static void assumeInstalled() {
    if (Files.isExecutable(BINARY)) {
      return;
    }
    if ("true".equals(System.getenv("CI"))) {
      fail(BINARY + " is missing: in CI the browser tests must run (.ci/run installs the package chromium)");
    }
    assumeTrue(false, BINARY + " is missing (apt-get install chromium): browser test skipped outside CI");
  }

  /** A headless browser whose profile and log live under {@code dir}, with one tab showing about:blank. */
  public static Chromium start(Path dir) throws Exception {
    Path profile = Files.createDirectories(dir.resolve("profile"));
    Process process = new ProcessBuilder(BINARY.toString(), "--headless", "--no-sandbox", "--disable-gpu",
        "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--hide-scrollbars", "--window-size=1200,900", "--user-data-dir=" + profile,
        "--remote-debugging-address=127.0.0.1", "--remote-debugging-port=0", "about:blank")
        .redirectErrorStream(true).redirectOutput(dir.resolve("chromium.log").toFile()).start();
    Vertx vertx = Vertx.vertx();
    try {
      long deadline = System.nanoTime() + START.toNanos();
      String endpoint = devToolsEndpoint(process, profile.resolve("DevToolsActivePort"), deadline);
      WebSocketClient client = vertx.createWebSocketClient(new WebSocketClientOptions()
          .setMaxFrameSize(64 << 20).setMaxMessageSize(64 << 20));
      Chromium browser = new Chromium(process, vertx, client, connect(client, endpoint, deadline));
      browser.openTab();
      return browser;
    } catch (Throwable e) {
      List<ProcessHandle> children = process.descendants().toList();
      vertx.close().await(CALL_SECONDS, TimeUnit.SECONDS);
      stop(process, children);
      throw e;
    }
  }

  /** The browser's DevTools WebSocket, from the file Chromium writes into its profile once it listens. */
  private static String devToolsEndpoint(Process process, Path file, long deadline) throws Exception {
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IOException("chromium exited with " + process.exitValue() + " before it listened");
      }
      List<String> lines = Files.exists(file) ? Files.readAllLines(file) : List.of();
      if (lines.size() >= 2) {
        return "ws://127.0.0.1:" + lines.get(0).trim() + lines.get(1).trim();
      }
      Thread.sleep(50);
    }
    throw new IOException("chromium did not open its DevTools port within " + START);
  }

  /** Chromium may close the very first connections while it is still starting: those are tried again. */
  private static WebSocket connect(WebSocketClient client, String endpoint, long deadline) throws Exception {
    // the DevTools server refuses WebSockets that name an Origin it was not told to allow
    WebSocketConnectOptions options = new WebSocketConnectOptions().setAbsoluteURI(endpoint).setAllowOriginHeader(false);
    while (true) {
      try {
        return client.connect(options).await(CALL_SECONDS, TimeUnit.SECONDS);
      } catch (Exception e) {
        if (System.nanoTime() > deadline) {
          throw e;
        }
        Thread.sleep(100);
      }
    }
  }

  private void openTab() {
    String target = await("Target.createTarget",
        send(null, "Target.createTarget", new JsonObject().put("url", "about:blank"))).getString("targetId");
    session = await("Target.attachToTarget", send(null, "Target.attachToTarget",
        new JsonObject().put("targetId", target).put("flatten", true))).getString("sessionId");
  }

  private void onMessage(String text) {
    JsonObject m = new JsonObject(text);
    Long id = m.getLong("id");
    if (id == null) {
      Consumer<JsonObject> listener = listeners.get(m.getString("method"));
      if (listener != null && session != null && session.equals(m.getString("sessionId"))) {
        listener.accept(m.getJsonObject("params", new JsonObject()));
      }
      return;
    }
    Promise<JsonObject> p = pending.remove(id);
    if (p == null) {
      return;
    }
    if (m.containsKey("error")) {
      p.fail(m.getJsonObject("error").encode());
    } else {
      p.complete(m.getJsonObject("result", new JsonObject()));
    }
  }

  /** Sends one command to the tab; its result comes with the future. Usable from a listener (never blocks). */
  public Future<JsonObject> send(String method, JsonObject params) {
    return send(session, method, params);
  }

  /** One command to {@code to} (a session; null: the browser itself). */
  private Future<JsonObject> send(String to, String method, JsonObject params) {
    if (closed != null) {
      return Future.failedFuture(method + ": " + closed);
    }
    long id = ids.incrementAndGet();
    Promise<JsonObject> p = Promise.promise();
    pending.put(id, p);
    JsonObject command = new JsonObject().put("id", id).put("method", method).put("params", params);
    if (to != null) {
      command.put("sessionId", to);
    }
    socket.writeTextMessage(command.encode()).onFailure(e -> {
      pending.remove(id);
      p.tryFail(e);
    });
    return p.future();
  }

  /** One command to the tab and its result. */
  public JsonObject call(String method, JsonObject params) {
    return await(method, send(method, params));
  }

  private static JsonObject await(String method, Future<JsonObject> result) {
    try {
      return result.await(CALL_SECONDS, TimeUnit.SECONDS);
    } catch (TimeoutException e) {
      throw new IllegalStateException(method + " got no answer within " + CALL_SECONDS + " s", e);
    }
  }

  /** Runs {@code listener} (on a Vert.x thread) for each event {@code method} of the tab ({@code "Fetch.authRequired"}). */
  public void on(String method, Consumer<JsonObject> listener) {
    listeners.put(method, listener);
  }

  public void navigate(String url) {
    call("Page.navigate", new JsonObject().put("url", url));
  }

  /** The value of a JavaScript expression in the page (JSON-like values only). */
  public Object evaluate(String expression) {
    JsonObject r = call("Runtime.evaluate", new JsonObject().put("expression", expression).put("returnByValue", true));
    if (r.containsKey("exceptionDetails")) {
      throw new ScriptException(expression + " threw: " + r.getJsonObject("exceptionDetails").encode());
    }
    return r.getJsonObject("result").getValue("value");
  }

  /** Waits until the expression is true in the page; on timeout fails with what the page shows. */
  public void waitUntil(String what, String expression, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    String thrown = "";
    while (System.nanoTime() < deadline) {
      try {
        if (Boolean.TRUE.equals(evaluate("!!(" + expression + ")"))) {
          return;
        }
      } catch (ScriptException e) {
        // the page may not be there yet (still loading, or the previous one)
        thrown = "; it threw " + e.getMessage();
      }
      Thread.sleep(50);
    }
    fail("within " + timeout + ", " + what + " (" + expression + ")" + thrown + "; the page shows:\n"
        + evaluate("document.body ? document.body.innerText : document.documentElement.outerHTML"));
  }

  /** An expression that threw in the page. */
  public static final class ScriptException extends RuntimeException {
    ScriptException(String message) {
      super(message);
    }
  }

  /** A PNG of what the page shows. */
  public void screenshot(Path png) throws IOException {
    String data = call("Page.captureScreenshot", new JsonObject().put("format", "png")).getString("data");
    Files.write(png, Base64.getDecoder().decode(data));
  }

  @Override
  public void close() throws Exception {
    List<ProcessHandle> children = process.descendants().toList();
    try {
      send(null, "Browser.close", new JsonObject());
      process.waitFor(10, TimeUnit.SECONDS);
    } finally {
      try {
        vertx.close().await(CALL_SECONDS, TimeUnit.SECONDS);
      } finally {
        stop(process, children);
      }
    }
  }

  /** Stops the browser and the processes it started (renderers, zygotes), by their ids. */
  private static void stop(Process process, List<ProcessHandle> children) throws InterruptedException {
    process.destroy();
    if (!process.waitFor(10, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
    for (ProcessHandle child : children) {
      if (child.isAlive()) {
        child.destroyForcibly();
      }
    }
  }
}
