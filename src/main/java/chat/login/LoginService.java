package chat.login;

import chat.fleet.AppAddress;
import chat.fleet.Fleet;
import chat.messaging.Channels;
import chat.protocol.Command;
import chat.protocol.Limits;
import chat.protocol.Messages;
import chat.protocol.Reply;
import chat.protocol.Request;
import chat.protocol.Rules;
import chat.store.Db;
import chat.store.Group;
import chat.store.GroupRepository;
import chat.store.User;
import chat.store.UserRepository;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.SocketAddress;

import java.util.List;

/**
 * The login server's answers: register, login, logout and delete, and for every other command
 * the token check, then forwarding to the user's application server.
 */
public final class LoginService {
  private final Vertx vertx;
  private final Db db;
  private final Fleet fleet;
  private final Passwords passwords;
  private final Forwarder forwarder;
  private final String brokerUrl;
  private final Limits limits;
  private final UserRepository users = new UserRepository();
  private final GroupRepository groups = new GroupRepository();

  public LoginService(Vertx vertx, Db db, Fleet fleet, Passwords passwords, Forwarder forwarder, String brokerUrl,
                      Limits limits) {
    this.vertx = vertx;
    this.db = db;
    this.fleet = fleet;
    this.passwords = passwords;
    this.forwarder = forwarder;
    this.brokerUrl = brokerUrl;
    this.limits = limits;
  }

  public Future<JsonObject> handle(String text, SocketAddress local) {
    Request r = Request.parse(text);
    JsonObject early = Rules.beforeToken(r);
    if (early != null) {
      return Future.succeededFuture(early);
    }
    return switch (r.command()) {
      case REGISTER -> register(r.arg(0), r.arg(1));
      case LOGIN -> login(r.arg(0), r.arg(1), local);
      case LOGOUT -> withUser(r, this::logout);
      case DELETE -> withUser(r, this::delete);
      default -> withUser(r, me -> forward(r, me, local));
    };
  }

  private Future<JsonObject> withUser(Request r, java.util.function.Function<User, Future<JsonObject>> then) {
    return db.tx(c -> users.byToken(c, r.token())).compose(me -> {
      if (me == null) {
        return Future.succeededFuture(Reply.fail(Messages.NOT_LOGIN));
      }
      JsonObject usage = Rules.usage(r);
      return usage != null ? Future.succeededFuture(usage) : then.apply(me);
    });
  }

  private Future<JsonObject> register(String id, String password) {
    return db.tx(c -> users.byName(c, id)).compose(existing -> {
      String failure = Rules.register(id, existing != null, limits);
      if (failure != null) {
        return Future.succeededFuture(Reply.fail(failure));
      }
      return vertx.executeBlocking(() -> passwords.hash(password), false)
          .compose(hash -> db.tx(c -> users.insert(c, id, hash, Channels.newPersonal())))
          .map(v -> Reply.ok())
          // two registrations of one name at once: the unique index lets one through
          .recover(e -> Db.isConstraintViolation(e) ? Future.succeededFuture(Reply.fail(Messages.alreadyUsed(id)))
              : Future.failedFuture(e));
    });
  }

  private Future<JsonObject> login(String id, String password, SocketAddress local) {
    return db.tx(c -> users.credentials(c, id)).compose(creds -> {
      if (creds == null) {
        return Future.succeededFuture(Reply.fail(Messages.BAD_LOGIN));
      }
      return vertx.executeBlocking(() -> passwords.verify(password, creds.passwordHash()), false)
          .compose(ok -> ok ? admit(creds.user(), local) : Future.succeededFuture(Reply.fail(Messages.BAD_LOGIN)))
          .recover(e -> e instanceof NoServer ? Future.succeededFuture(Reply.fail(Messages.NO_SERVER))
              : Future.failedFuture(e));
    });
  }

  /** A checked user gets a server first, then its token: a failed assignment leaves no token behind. */
  private Future<JsonObject> admit(User user, SocketAddress local) {
    return fleet.assign(user).recover(e -> Future.failedFuture(new NoServer(e))).compose(server ->
        db.tx(c -> users.ensureToken(c, user.id(), Channels.random(16)).compose(token ->
            groups.joined(c, user.id()).map(joined -> loginReply(user, token, joined, server, local)))));
  }

  private JsonObject loginReply(User user, String token, List<Group> joined, AppAddress server, SocketAddress local) {
    JsonArray channels = new JsonArray().add(new JsonObject().put("type", 0).put("channel", user.channel()));
    joined.forEach(g -> channels.add(new JsonObject().put("type", 1).put("name", g.name()).put("channel", g.channel())));
    return Reply.ok()
        .put("token", token)
        .put("channel", channels)
        .put("server", advertised(server, local).toJson())
        .put("broker", Advertise.url(brokerUrl, local));
  }

  private Future<JsonObject> logout(User me) {
    return db.tx(c -> users.clearToken(c, me.id())).compose(v -> fleet.release(me)).map(v -> Reply.ok(Messages.BYE));
  }

  private Future<JsonObject> delete(User me) {
    return db.tx(c -> users.delete(c, me.id())).compose(v -> fleet.release(me)).map(v -> Reply.ok());
  }

  /**
   * Older clients send every command here: pass it to the user's server, and tell the client
   * where that server is, so a client whose server was replaced learns the new one.
   */
  private Future<JsonObject> forward(Request r, User me, SocketAddress local) {
    return forwardOnce(r, me, local).recover(e -> {
      if (!(e instanceof java.net.ConnectException) && !(e.getCause() instanceof java.net.ConnectException)) {
        return Future.failedFuture(e);
      }
      // the server is gone: have the fleet reassign the user, and try once more
      return fleet.serverOf(me).compose(server -> fleet.suspect(server)).compose(v -> forwardOnce(r, me, local));
    });
  }

  private Future<JsonObject> forwardOnce(Request r, User me, SocketAddress local) {
    return fleet.serverOf(me).compose(server -> forwarder.forward(server, r.text(me.token()))
        .map(reply -> reply.put("server", advertised(server, local).toJson())));
  }

  /** No application server could be had for a login. */
  private static final class NoServer extends RuntimeException {
    NoServer(Throwable cause) {
      super(cause.getMessage(), cause, false, false);
    }
  }

  private static AppAddress advertised(AppAddress server, SocketAddress local) {
    return new AppAddress(server.instanceId(), Advertise.host(server.host(), local), server.port());
  }
}
