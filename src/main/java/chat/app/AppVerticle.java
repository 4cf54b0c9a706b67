package chat.app;

import chat.protocol.Messages;
import chat.protocol.Reply;
import chat.protocol.Request;
import chat.protocol.Rules;
import chat.wire.RequestServer;
import chat.wire.WireOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.SocketAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** An application server: answers the twelve application commands on its own port. */
public final class AppVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(AppVerticle.class);

  private final AppService service;
  private final WireOptions wire;
  private final String host;
  private final int port;
  private RequestServer server;
  private int actualPort;

  public AppVerticle(AppService service, WireOptions wire, String host, int port) {
    this.service = service;
    this.wire = wire;
    this.host = host;
    this.port = port;
  }

  @Override
  public Future<?> start() {
    server = new RequestServer(vertx, wire, this::handle);
    return server.listen(host, port).onSuccess(p -> {
      actualPort = p;
      LOG.info("application server listening on {}:{}", host, p);
    });
  }

  public int port() {
    return actualPort;
  }

  private Future<JsonObject> handle(String text, SocketAddress local) {
    Request r = Request.parse(text);
    JsonObject early = Rules.beforeToken(r);
    if (early != null) {
      return Future.succeededFuture(early);
    }
    if (!r.command().takesToken() || r.command().role == chat.protocol.Command.Role.LOGIN) {
      return Future.succeededFuture(Reply.fail(Messages.LOGIN_SERVER_ONLY));
    }
    return service.handle(r);
  }

  @Override
  public Future<?> stop() {
    return server.close();
  }
}
