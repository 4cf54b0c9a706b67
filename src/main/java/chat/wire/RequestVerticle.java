package chat.wire;

import chat.config.TlsOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A request server as a verticle: the login server and every application server are one of these. */
public final class RequestVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(RequestVerticle.class);

  private final String name;
  private final RequestHandler handler;
  private final WireOptions wire;
  private final String host;
  private final int port;
  private final TlsOptions tls;
  private RequestServer server;
  private int actualPort;

  public RequestVerticle(String name, RequestHandler handler, WireOptions wire, String host, int port) {
    this(name, handler, wire, host, port, TlsOptions.disabled());
  }

  public RequestVerticle(String name, RequestHandler handler, WireOptions wire, String host, int port,
                         TlsOptions tls) {
    this.name = name;
    this.handler = handler;
    this.wire = wire;
    this.host = host;
    this.port = port;
    this.tls = tls;
  }

  @Override
  public Future<?> start() {
    server = new RequestServer(vertx, wire, handler, tls);
    return server.listen(host, port).onSuccess(p -> {
      actualPort = p;
      LOG.info("{} listening on {}:{}{}", name, host, p, tls.enabled() ? " over TLS" : "");
    });
  }

  public int port() {
    return actualPort;
  }

  @Override
  public Future<?> stop() {
    return server.close();
  }
}
