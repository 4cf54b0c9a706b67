package chat.login;

import io.vertx.core.Handler;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.net.HostAndPort;
import io.vertx.ext.web.RoutingContext;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.regex.Pattern;

/**
 * Who may use the admin endpoint, checked before every route. With a token, every request must
 * prove it: {@code Authorization: Bearer TOKEN} (scripts), or HTTP Basic with the token as the
 * password and any user name (browsers: the browser's own dialog asks once and sends it with
 * every request of the page, the event stream included, and the page's scripts never see it).
 * Without a token the endpoint listens only on loopback ({@link chat.config.ChatConfig} and
 * {@code ChatServer} see to that), and a request must also name a loopback host: a web page
 * elsewhere that points a host name of its own at 127.0.0.1 (DNS rebinding) is refused.
 * Every answer tells browsers not to frame it, sniff it or share it with other sites.
 */
final class AdminAccess implements Handler<RoutingContext> {
  /** Scripts, styles and requests only from the endpoint itself; no inline script, no frames. */
  static final String CONTENT_POLICY = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
      + "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
  private static final Pattern IP_LITERAL = Pattern.compile("[0-9.]+|[0-9a-fA-F:]*:[0-9a-fA-F:.]*");
  private final byte[] bearer;
  private final byte[] token;

  /** {@code token} null or empty: loopback only, no token. */
  AdminAccess(String token) {
    boolean none = token == null || token.isEmpty();
    this.token = none ? null : token.getBytes(StandardCharsets.UTF_8);
    this.bearer = none ? null : ("Bearer " + token).getBytes(StandardCharsets.UTF_8);
  }

  boolean tokenRequired() {
    return token != null;
  }

  @Override
  public void handle(RoutingContext ctx) {
    HttpServerResponse res = ctx.response();
    res.putHeader("Content-Security-Policy", CONTENT_POLICY)
        .putHeader("X-Content-Type-Options", "nosniff")
        .putHeader("Referrer-Policy", "no-referrer")
        .putHeader("Cross-Origin-Resource-Policy", "same-origin")
        .putHeader(HttpHeaders.CACHE_CONTROL, "no-store");
    if (token != null && !authorized(ctx.request())) {
      res.setStatusCode(401);
      res.headers().add("WWW-Authenticate", "Bearer")
          .add("WWW-Authenticate", "Basic realm=\"chat admin\", charset=\"UTF-8\"");
      res.putHeader(HttpHeaders.CONTENT_TYPE, "application/json").end("{\"error\":\"a bearer token is required\"}");
    } else if (token == null && !loopbackName(ctx.request().authority())) {
      res.setStatusCode(403).putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
          .end("{\"error\":\"without a token this endpoint answers only to 127.0.0.1, [::1] or localhost\"}");
    } else {
      ctx.next();
    }
  }

  private boolean authorized(HttpServerRequest req) {
    String given = req.getHeader(HttpHeaders.AUTHORIZATION);
    if (given == null) {
      return false;
    }
    if (given.regionMatches(true, 0, "Basic ", 0, 6)) {
      return MessageDigest.isEqual(token, basicPassword(given.substring(6).trim()));
    }
    return MessageDigest.isEqual(bearer, given.getBytes(StandardCharsets.UTF_8));
  }

  /** The password of HTTP Basic credentials ({@code base64(user:password)}), or nothing when they are malformed. */
  private static byte[] basicPassword(String encoded) {
    byte[] pair;
    try {
      pair = Base64.getDecoder().decode(encoded);
    } catch (IllegalArgumentException e) {
      return new byte[0];
    }
    for (int i = 0; i < pair.length; i++) {
      if (pair[i] == ':') {
        byte[] password = new byte[pair.length - i - 1];
        System.arraycopy(pair, i + 1, password, 0, password.length);
        return password;
      }
    }
    return new byte[0];
  }

  /** {@code localhost} or a loopback address literal; a name is never resolved, since rebinding is what this refuses. */
  static boolean loopbackName(HostAndPort authority) {
    if (authority == null || authority.host() == null) {
      return false;
    }
    String host = authority.host();
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    if (host.equalsIgnoreCase("localhost")) {
      return true;
    }
    if (!IP_LITERAL.matcher(host).matches()) {
      return false;
    }
    try {
      return InetAddress.getByName(host).isLoopbackAddress();
    } catch (UnknownHostException e) {
      return false;
    }
  }
}
