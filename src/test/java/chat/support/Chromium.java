package chat.support;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
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
 * Debian's Chromium, headless, with a fresh profile, driven over the DevTools protocol: one page,
 * reached through a Vert.x WebSocket on loopback. Closing it closes the browser and stops every
 * process it started.
 */
public final class Chromium implements AutoCloseable {
  public static final Path BINARY = Path.of("/usr/bin/chromium");
  private static final Duration START = Duration.ofSeconds(30);
  private static final long CALL_SECONDS = 30;

  private final Process process;
  private final Vertx vertx;
  private final WebSocket socket;
  private final AtomicLong ids = new AtomicLong();
  private final Map<Long, Promise<JsonObject>> pending = new ConcurrentHashMap<>();
  private final Map<String, Consumer<JsonObject>> listeners = new ConcurrentHashMap<>();

  private Chromium(Process process, Vertx vertx, WebSocket socket) {
    this.process = process;
    this.vertx = vertx;
    this.socket = socket;
    socket.textMessageHandler(this::onMessage);
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

  /** A headless browser whose profile and log live under {@code dir}, showing about:blank. */
  public static Chromium start(Path dir) throws Exception {
    Path profile = Files.createDirectories(dir.resolve("profile"));
    Process process = new ProcessBuilder(BINARY.toString(), "--headless", "--no-sandbox", "--disable-gpu",
        "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--hide-scrollbars", "--window-size=1200,900", "--user-data-dir=" + profile,
        "--remote-debugging-address=127.0.0.1", "--remote-debugging-port=0", "about:blank")
        .redirectErrorStream(true).redirectOutput(dir.resolve("chromium.log").toFile()).start();
    Vertx vertx = Vertx.vertx();
    try {
      int port = devToolsPort(process, profile.resolve("DevToolsActivePort"));
      String page = pageSocket(port);
      WebSocket socket = vertx.createWebSocketClient(new WebSocketClientOptions()
              .setMaxFrameSize(64 << 20).setMaxMessageSize(64 << 20))
          // the DevTools server refuses WebSockets that name an Origin it was not told to allow
          .connect(new WebSocketConnectOptions().setAbsoluteURI(page).setAllowOriginHeader(false))
          .await(CALL_SECONDS, TimeUnit.SECONDS);
      return new Chromium(process, vertx, socket);
    } catch (Throwable e) {
      List<ProcessHandle> children = process.descendants().toList();
      vertx.close().await(CALL_SECONDS, TimeUnit.SECONDS);
      stop(process, children);
      throw e;
    }
  }

  /** The port Chromium chose, from the file it writes into its profile once it listens. */
  private static int devToolsPort(Process process, Path file) throws Exception {
    long deadline = System.nanoTime() + START.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IOException("chromium exited with " + process.exitValue() + " before it listened");
      }
      List<String> lines = Files.exists(file) ? Files.readAllLines(file) : List.of();
      if (lines.size() >= 2) {
        return Integer.parseInt(lines.get(0).trim());
      }
      Thread.sleep(50);
    }
    throw new IOException("chromium did not open its DevTools port within " + START);
  }

  private static String pageSocket(int port) throws Exception {
    HttpResponse<String> r = HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/json/list")).GET().build(),
        HttpResponse.BodyHandlers.ofString());
    JsonArray targets = new JsonArray(r.body());
    for (int i = 0; i < targets.size(); i++) {
      JsonObject t = targets.getJsonObject(i);
      if ("page".equals(t.getString("type"))) {
        return t.getString("webSocketDebuggerUrl");
      }
    }
    throw new IOException("no page among the browser's targets: " + r.body());
  }

  private void onMessage(String text) {
    JsonObject m = new JsonObject(text);
    Long id = m.getLong("id");
    if (id == null) {
      Consumer<JsonObject> listener = listeners.get(m.getString("method"));
      if (listener != null) {
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

  /** Sends one command; its result comes with the future. Usable from a listener (never blocks). */
  public Future<JsonObject> send(String method, JsonObject params) {
    long id = ids.incrementAndGet();
    Promise<JsonObject> p = Promise.promise();
    pending.put(id, p);
    socket.writeTextMessage(new JsonObject().put("id", id).put("method", method).put("params", params).encode())
        .onFailure(e -> {
          pending.remove(id);
          p.tryFail(e);
        });
    return p.future();
  }

  /** One command and its result. */
  public JsonObject call(String method, JsonObject params) {
    try {
      return send(method, params).await(CALL_SECONDS, TimeUnit.SECONDS);
    } catch (TimeoutException e) {
      throw new IllegalStateException(method + " got no answer within " + CALL_SECONDS + " s", e);
    }
  }

  /** Runs {@code listener} (on a Vert.x thread) for each event {@code method} ({@code "Fetch.authRequired"}). */
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
      send("Browser.close", new JsonObject());
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
