package chat.fleet;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the stand-ins for AWS APIs share: an HTTP server on 127.0.0.1 for the real SDK to talk to,
 * every request recorded, failures a test injects, and the frame of an answer (POST only, an
 * {@code x-amzn-RequestId}, errors in the API's own format). Each double parses, checks and
 * answers its own protocol.
 *
 * @param <D> the double itself, so its fluent methods return it
 * @param <C> how it records one request
 */
public abstract class AwsApiDouble<D extends AwsApiDouble<D, C>, C> implements AutoCloseable {
  private static final Pattern AUTH_ACCESS_KEY = Pattern.compile("Credential=([^/,\\s]+)/");

  /** Answer of a failed request: the HTTP status, the API's error code and its message. */
  static final class ApiError extends RuntimeException {
    final int status;
    final String code;

    ApiError(int status, String code, String message) {
      super(message);
      this.status = status;
      this.code = code;
    }
  }

  private final String service;
  private final String protocol;
  private final String contentType;
  private final String internalError;
  private final Function<C, String> operation;
  private final List<C> calls = new CopyOnWriteArrayList<>();
  private final Map<String, ApiError> injectedFailures = new ConcurrentHashMap<>();
  private HttpServer server;
  private ExecutorService executor;

  /**
   * @param service       its name in messages ({@code SSM}, {@code EC2})
   * @param protocol      its protocol's name in the answer to anything but a POST
   * @param contentType   of its answers
   * @param internalError the error code of a request the double itself failed on
   * @param operation     the operation a recorded request asked for
   */
  AwsApiDouble(String service, String protocol, String contentType, String internalError,
               Function<C, String> operation) {
    this.service = service;
    this.protocol = protocol;
    this.contentType = contentType;
    this.internalError = internalError;
    this.operation = operation;
  }

  @SuppressWarnings("unchecked")
  private D self() {
    return (D) this;
  }

  /** Binds an ephemeral port on 127.0.0.1; returns once the server accepts requests. */
  public synchronized D start() {
    if (server != null) {
      return self();
    }
    try {
      server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    } catch (IOException e) {
      throw new IllegalStateException("cannot bind the " + service + " double", e);
    }
    executor = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, service.toLowerCase(Locale.ROOT) + "-double");
      t.setDaemon(true);
      return t;
    });
    server.setExecutor(executor);
    server.createContext("/", this::handle);
    server.start();
    return self();
  }

  /** Where to point the SDK's endpointOverride. */
  public URI endpoint() {
    if (server == null) {
      throw new IllegalStateException(service + " double not started");
    }
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  /** Every request so far, oldest first. */
  public List<C> calls() {
    return List.copyOf(calls);
  }

  /** Requests of one operation, oldest first. */
  public List<C> calls(String name) {
    return calls.stream().filter(c -> operation.apply(c).equals(name)).toList();
  }

  /**
   * Makes the next request of {@code name} fail with the given error, before it changes
   * anything, so callers' handling of errors can be checked.
   */
  public D failNext(String name, int httpStatus, String errorCode, String message) {
    injectedFailures.put(name, new ApiError(httpStatus, errorCode, message));
    return self();
  }

  @Override
  public synchronized void close() {
    if (server != null) {
      server.stop(0);
      executor.shutdownNow();
      server = null;
      executor = null;
    }
  }

  // ---- what each double does with a request ----

  /**
   * The body of the answer to one POST: parses it, {@link #record records} it, checks it and
   * carries it out, or throws an {@link ApiError}.
   */
  abstract String answer(HttpExchange exchange, String requestId) throws IOException;

  /** The body of an error answer, in the API's own format. */
  abstract String error(String code, String message, String requestId);

  /** Records a request as received, before any check. */
  final void record(C call) {
    calls.add(call);
  }

  /** Throws the failure {@link #failNext} set for {@code name}, once. */
  final void injectedFailure(String name) {
    ApiError injected = injectedFailures.remove(name);
    if (injected != null) {
      throw injected;
    }
  }

  // ---- helpers for both protocols ----

  /** The access key id a request was signed with, or null when it was not signed. */
  static String accessKeyId(HttpExchange exchange) {
    String auth = exchange.getRequestHeaders().getFirst("Authorization");
    if (auth == null) {
      return null;
    }
    Matcher m = AUTH_ACCESS_KEY.matcher(auth);
    return m.find() ? m.group(1) : null;
  }

  static boolean signed(HttpExchange exchange) {
    return exchange.getRequestHeaders().getFirst("Authorization") != null;
  }

  /** The NextToken of a page that ends before item {@code next}. */
  static String pageToken(int next) {
    return Base64.getEncoder().encodeToString(Integer.toString(next).getBytes(StandardCharsets.UTF_8));
  }

  /** The first item of the page {@code token} asks for; an IllegalArgumentException when it is not one. */
  static int pageStart(String token) {
    return Integer.parseInt(new String(Base64.getDecoder().decode(token), StandardCharsets.UTF_8));
  }

  private void handle(HttpExchange exchange) throws IOException {
    String requestId = UUID.randomUUID().toString();
    int status;
    String body;
    try {
      if (!"POST".equals(exchange.getRequestMethod())) {
        throw new ApiError(400, "InvalidAction", protocol + " takes POST requests only");
      }
      body = answer(exchange, requestId);
      status = 200;
    } catch (ApiError e) {
      status = e.status;
      body = error(e.code, e.getMessage(), requestId);
    } catch (RuntimeException e) {
      status = 500;
      body = error(internalError, service + " double failed: " + e, requestId);
    }
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", contentType);
    exchange.getResponseHeaders().set("x-amzn-RequestId", requestId);
    exchange.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }
}
