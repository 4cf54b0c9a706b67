package chat.login;

import chat.fleet.FleetVerticle;
import chat.support.Chromium;
import chat.support.RunningService;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The live fleet page of the admin endpoint in a real headless Chromium, against the whole
 * service on loopback with application instances in this JVM.
 */
class FleetPageTest {
  private static final Duration WAIT = Duration.ofSeconds(20);
  @TempDir
  Path data;
  @TempDir
  Path browserDir;
  @AutoClose
  private RunningService service;
  @AutoClose
  private Chromium browser;
  private int adminPort;

  @Test
  void pageShowsAStartedInstanceAndUpdatesWhenItStops() throws Exception {
    Chromium.assumeInstalled();
    startService(Map.of("fleet.graceSeconds", "1"));
    browser = Chromium.start(browserDir);
    browser.navigate(pageUrl());
    browser.waitUntil("the page is live and shows no instance",
        text("status") + " === 'live' && " + text("count-instances") + " === '0'", WAIT);

    service.ask("register ann p");
    JsonObject login = service.ask("login ann p");
    String id = login.getJsonObject("server").getString("id");
    String row = "document.querySelector('#instances tr[data-instance=\"" + id + "\"]')";
    browser.waitUntil("the started instance is shown ready, with its user and its age",
        row + " && " + row + ".querySelector('.state').textContent === 'ready'"
            + " && " + row + ".querySelector('.users').textContent === '1 / 10'"
            + " && /^\\d+ s$/.test(" + row + ".querySelector('.age').textContent)", WAIT);
    browser.waitUntil("its start and registration are among the events",
        event("started", id) + " && " + event("registered", id), WAIT);
    browser.waitUntil("the figures and the chart show one user and one instance",
        text("count-users") + " === '1' && " + text("count-instances") + " === '1'"
            + " && document.querySelector('#chart polyline.users').getAttribute('points').split(' ').length > 1",
        WAIT);

    assertEquals("Bye!", service.ask("logout " + login.getString("token")).getString("message"));
    browser.waitUntil("the instance, idle past the grace, is gone from the table and its stop is shown",
        "!" + row + " && " + event("draining", id) + " && " + event("stopped", id)
            + " && " + text("count-instances") + " === '0' && " + text("count-users") + " === '0'", WAIT);
  }

  @Test
  void remoteTextIsShownAsTextNeverAsMarkup() throws Exception {
    Chromium.assumeInstalled();
    startService(Map.of());
    browser = Chromium.start(browserDir);
    browser.navigate(pageUrl());
    browser.waitUntil("the page is live", text("status") + " === 'live'", WAIT);
    String hostile = "<img src=x onerror=\"window.injected=1\"><b>bold</b>";
    service.vertx().eventBus().publish(FleetVerticle.EVENTS, new JsonObject().put("at", System.currentTimeMillis())
        .put("event", "<i>refused</i>").put("instance", hostile).put("detail", "<script>window.injected=2</script>"));
    browser.waitUntil("the event is listed with its text as it came",
        "document.querySelector('#events li') && document.querySelector('#events li').textContent.includes('"
            + hostile.replace("\"", "\\\"") + "')", WAIT);
    assertEquals(0, ((Number) browser.evaluate("document.querySelectorAll('#events img, #events b, #events i,"
        + " #events script').length")).intValue(), "no element came from the event's text");
    assertEquals(Boolean.TRUE, browser.evaluate("window.injected === undefined"));
    assertEquals("ev-other", browser.evaluate("document.querySelector('#events li').className"),
        "an unknown event name never becomes a class of its own");
  }

  @Test
  void withATokenTheBrowserAsksOnceAndSendsItWithEveryRequestOfThePage() throws Exception {
    Chromium.assumeInstalled();
    String token = "t-" + java.util.UUID.randomUUID();
    startService(Map.of("admin.token", token));
    browser = Chromium.start(browserDir);
    AtomicInteger challenges = new AtomicInteger();
    browser.on("Fetch.requestPaused", p -> browser.send("Fetch.continueRequest",
        new JsonObject().put("requestId", p.getString("requestId"))));
    browser.on("Fetch.authRequired", p -> {
      challenges.incrementAndGet();
      browser.send("Fetch.continueWithAuth", new JsonObject().put("requestId", p.getString("requestId"))
          .put("authChallengeResponse", new JsonObject().put("response", "ProvideCredentials")
              .put("username", "operator").put("password", token)));
    });
    browser.call("Fetch.enable", new JsonObject().put("handleAuthRequests", true));
    service.ask("register bo p");
    String id = service.ask("login bo p").getJsonObject("server").getString("id");
    browser.navigate(pageUrl());
    browser.waitUntil("the page, its script and its event stream were let in",
        text("status") + " === 'live' && document.querySelector('#instances tr[data-instance=\"" + id + "\"]')", WAIT);
    assertEquals(1, challenges.get(), "asked once: the script, the style and the event stream carry what it was told");
  }

  @Test
  void withATokenEveryPathOfThePageWantsIt() throws Exception {
    String token = "t-" + java.util.UUID.randomUUID();
    startService(Map.of("admin.token", token));
    for (String path : new String[] {"/", "/fleet.js", "/fleet.css", "/events", "/fleet", "/nothing"}) {
      HttpResponse<String> r = get(path, null);
      assertEquals(401, r.statusCode(), path);
      assertTrue(r.headers().allValues("WWW-Authenticate").contains("Basic realm=\"chat admin\", charset=\"UTF-8\""),
          path + " " + r.headers().map());
      assertEquals(401, get(path, basic("operator", token + "x")).statusCode(), path + " with a wrong password");
      assertEquals(401, get(path, "Bearer " + token.substring(1)).statusCode(), path + " with a wrong token");
    }
    assertEquals(200, get("/", basic("anyone", token)).statusCode());
    assertEquals(200, get("/fleet.js", "Bearer " + token).statusCode());
    HttpResponse<String> page = get("/", "Bearer " + token);
    assertEquals("text/html; charset=utf-8", page.headers().firstValue("content-type").orElseThrow());
    assertTrue(page.headers().firstValue("content-security-policy").orElseThrow().contains("script-src 'self'"));
    assertEquals(404, get("/nothing", "Bearer " + token).statusCode());
  }

  @Test
  void withoutATokenOnlyLoopbackHostNamesAreAnswered() throws Exception {
    startService(Map.of());
    assertTrue(rawGet("127.0.0.1:" + adminPort).startsWith("HTTP/1.1 200"));
    assertTrue(rawGet("localhost:" + adminPort).startsWith("HTTP/1.1 200"));
    assertTrue(rawGet("[::1]:" + adminPort).startsWith("HTTP/1.1 200"));
    // a page elsewhere that points its own name at 127.0.0.1 (DNS rebinding) reads nothing
    String refused = rawGet("rebind.example:" + adminPort);
    assertTrue(refused.startsWith("HTTP/1.1 403"), refused);
    assertTrue(rawGet("127.0.0.1.rebind.example").startsWith("HTTP/1.1 403"));
  }

  /** The text of the page's element with that id. */
  private static String text(String id) {
    return "document.getElementById('" + id + "').textContent";
  }

  private static String event(String name, String instance) {
    return "document.querySelector('#events li[data-event=\"" + name + "\"][data-instance=\"" + instance + "\"]')";
  }

  private void startService(Map<String, String> settings) throws Exception {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      adminPort = s.getLocalPort();
    }
    Map<String, String> all = new java.util.HashMap<>(settings);
    all.put("admin.port", String.valueOf(adminPort));
    service = RunningService.start(data, all);
  }

  private String pageUrl() {
    return "http://127.0.0.1:" + adminPort + "/";
  }

  private HttpResponse<String> get(String path, String authorization) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort + path))
        .timeout(Duration.ofSeconds(10)).GET();
    if (authorization != null) {
      b.header("Authorization", authorization);
    }
    // the event stream does not end: its status and headers are enough
    return HttpClient.newHttpClient().send(b.build(), info -> HttpResponse.BodySubscribers.replacing(""));
  }

  private static String basic(String user, String password) {
    return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
  }

  /** The status line of {@code GET /fleet} sent with the given Host header, over a plain socket. */
  private String rawGet(String host) throws IOException {
    try (Socket s = new Socket(java.net.InetAddress.getLoopbackAddress(), adminPort)) {
      s.setSoTimeout(10_000);
      OutputStream out = s.getOutputStream();
      out.write(("GET /fleet HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n")
          .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = s.getInputStream();
      return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().findFirst().orElse("");
    }
  }
}
