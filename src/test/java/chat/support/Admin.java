package chat.support;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.Callable;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.fail;

/** Requests to an admin listener on loopback, and the figures of a Prometheus scrape. */
public final class Admin {
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private Admin() { }

  /** {@code GET path} on the loopback {@code port}, with {@code token} as bearer token unless null. */
  public static HttpResponse<String> get(int port, String path, String token) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .timeout(Duration.ofSeconds(15));
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** The value of one series ({@code name{labels}} as Prometheus writes it) in a scrape; fails when absent. */
  public static double value(String scrape, String series) {
    Double v = valueOrNull(scrape, series);
    assertNotNull(v, series + " is not in the scrape");
    return v;
  }

  public static Double valueOrNull(String scrape, String series) {
    for (String line : scrape.split("\n")) {
      if (line.startsWith(series + " ")) {
        return Double.parseDouble(line.substring(series.length() + 1).trim().split(" ")[0]);
      }
    }
    return null;
  }

  /** Waits until {@code condition} holds, asking again every 50 ms, at most {@code seconds}. */
  public static void until(String what, int seconds, Callable<Boolean> condition) throws Exception {
    long deadline = System.nanoTime() + seconds * 1_000_000_000L;
    while (!condition.call()) {
      if (System.nanoTime() > deadline) {
        fail("not within " + seconds + " s: " + what);
      }
      Thread.sleep(50);
    }
  }
}
