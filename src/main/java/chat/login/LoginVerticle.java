package chat.login;

import chat.wire.RequestServer;
import chat.wire.WireOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The login server: the address every client starts from. */
public final class LoginVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(LoginVerticle.class);

  private final LoginService service;
  private final WireOptions wire;
  private final String host;
  private final int port;
  private RequestServer server;
  private int actualPort;

  public LoginVerticle(LoginService service, WireOptions wire, String host, int port) {
    this.service = service;
    this.wire = wire;
    this.host = host;
    this.port = port;
  }

  @Override
  public Future<?> start() {
    server = new RequestServer(vertx, wire, service::handle);
    return server.listen(host, port).onSuccess(p -> {
      actualPort = p;
      LOG.info("login server listening on {}:{}", host, p);
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
