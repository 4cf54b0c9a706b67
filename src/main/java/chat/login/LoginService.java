package chat.login;

import chat.fleet.AppAddress;
import chat.fleet.Fleet;
import chat.messaging.Channels;
import chat.ops.CommandMeters;
import chat.ops.LoginMeters;
import chat.ops.Metrics;
import chat.protocol.Command;
import chat.protocol.Limits;
import chat.protocol.LogText;
import chat.protocol.Messages;
import chat.protocol.Reply;
import chat.protocol.Request;
import chat.protocol.Rules;
import chat.store.Db;
import chat.store.Group;
import chat.store.GroupRepository;
import chat.store.User;
import chat.store.UserRepository;
import chat.store.UserRepository.Credentials;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.SocketAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;

/**
 * The login server's answers: register, login, logout and delete, and for every other command
 * the token check, then forwarding to the user's application server.
 */
public final class LoginService {
  private static final Logger LOG = LoggerFactory.getLogger(LoginService.class);

  private final Db db;
  private final Fleet fleet;
  private final Authentication auth;
  private final Forwarder forwarder;
  private final List<String> brokerUrls;
  private final Limits limits;
  private final CommandMeters commands;
  private final LoginMeters logins;
  private final UserRepository users = new UserRepository();
  private final GroupRepository groups = new GroupRepository();

  public LoginService(Db db, Fleet fleet, Authentication auth, Forwarder forwarder, String brokerUrl,
                      Limits limits, Metrics metrics) {
    this.db = db;
    this.commands = metrics.commands("login");
    this.logins = metrics.logins();
    this.fleet = fleet;
    this.auth = auth;
    this.forwarder = forwarder;
    this.brokerUrls = chat.messaging.BrokerOptions.urls(brokerUrl);
    this.limits = limits;
  }

  public Future<JsonObject> handle(String text, SocketAddress local, SocketAddress remote) {
    long start = System.nanoTime();
    Request r = Request.parse(text);
    return commands.timed(r.command(), start, answer(r, local, remote));
  }

  private Future<JsonObject> answer(Request r, SocketAddress local, SocketAddress remote) {
    JsonObject early = Rules.beforeToken(r);
    if (early != null) {
      return Future.succeededFuture(early);
    }
    String source = remote == null ? "?" : remote.hostAddress();
    return switch (r.command()) {
      case REGISTER -> register(r.arg(0), r.arg(1), source);
      case LOGIN -> login(r.arg(0), r.arg(1), local, source);
      case LOGOUT -> withUser(r, this::logout);
      case DELETE -> withUser(r, this::delete);
      default -> withUser(r, me -> forward(r, me, local));
    };
  }

  private Future<JsonObject> withUser(Request r, java.util.function.Function<User, Future<JsonObject>> then) {
    return db.autoCommit(c -> users.byToken(c, r.token())).compose(me -> {
      if (me == null) {
        return Future.succeededFuture(Reply.fail(Messages.NOT_LOGIN));
      }
      JsonObject usage = Rules.usage(r);
      return usage != null ? Future.succeededFuture(usage) : then.apply(me);
    });
  }

  private Future<JsonObject> register(String id, String password, String source) {
    if (!auth.guard().registerAllowed(LoginGuard.sourceKey(source))) {
      return Future.succeededFuture(Reply.fail(Messages.TOO_MANY_ATTEMPTS));
    }
    return db.autoCommit(c -> users.byName(c, id)).compose(existing -> {
      String failure = Rules.register(id, existing != null, limits);
      if (failure == null) {
        failure = Rules.password(password, auth.minPasswordLength());
      }
      if (failure != null) {
        return Future.succeededFuture(Reply.fail(failure));
      }
      return auth.hashes().submit(() -> auth.passwords().hash(password))
          .compose(hash -> db.tx(c -> {
            users.insert(c, id, hash, Channels.newPersonal());
            return null;
          }))
          .map(v -> Reply.ok())
          // two registrations of one name at once: the unique index lets one through
          .recover(e -> Db.isConstraintViolation(e) ? Future.succeededFuture(Reply.fail(Messages.alreadyUsed(id)))
              : Future.failedFuture(e));
    }).recover(LoginService::busy);
  }

  /**
   * A login is refused before any work while its account or source is backing off. Otherwise
   * the password is checked (against a dummy hash when there is no such user, so that costs
   * the same), and a hash with old costs or an old algorithm is replaced once it has matched.
   */
  private Future<JsonObject> login(String id, String password, SocketAddress local, String source) {
    String sourceKey = LoginGuard.sourceKey(source);
    if (!auth.guard().loginAllowed(id, sourceKey)) {
      logins.limited();
      return Future.succeededFuture(Reply.fail(Messages.TOO_MANY_ATTEMPTS));
    }
    return db.autoCommit(c -> users.credentials(c, id))
        .compose(creds -> check(password, creds).compose(verdict -> verdict.ok()
            ? admitChecked(creds, verdict.rehash(), local)
            : loginFailed(id, source, sourceKey)))
        .recover(e -> {
          if (e instanceof NoServer) {
            logins.unavailable();
            return Future.succeededFuture(Reply.fail(Messages.NO_SERVER));
          }
          return busy(e);
        });
  }

  private Future<Verdict> check(String password, Credentials creds) {
    String stored = creds == null ? auth.passwords().dummy() : creds.passwordHash();
    return auth.hashes().submit(() -> {
      boolean ok = auth.passwords().verify(password, stored) && creds != null;
      String rehash = ok && auth.passwords().needsRehash(stored) ? auth.passwords().hash(password) : null;
      return new Verdict(ok, rehash);
    });
  }

  /** The outcome of a password check, with the new hash to store when the old one is outdated. */
  private record Verdict(boolean ok, String rehash) {
  }

  private Future<JsonObject> loginFailed(String id, String source, String sourceKey) {
    logins.failed();
    long wait = auth.guard().loginFailed(id, sourceKey);
    // the name is remote text: quoted and escaped so it cannot forge log lines; never the password
    LOG.warn("login failed: user {} from {}{}", LogText.quote(id), source,
        wait > 0 ? "; further attempts refused for " + wait + " ms" : "");
    return Future.succeededFuture(Reply.fail(Messages.BAD_LOGIN));
  }

  private Future<JsonObject> admitChecked(Credentials creds, String rehash, SocketAddress local) {
    User user = creds.user();
    auth.guard().loginSucceeded(user.name());
    if (rehash == null) {
      return admit(user, local);
    }
    return db.tx(c -> {
      users.rehash(c, user.id(), creds.passwordHash(), rehash);
      return null;
    })
        .recover(e -> {
          // the old hash still works: the replacement is tried again at the next login
          LOG.warn("replacing the password hash of user id {} failed: {}", user.id(), e.toString());
          return Future.succeededFuture();
        })
        .compose(v -> admit(user, local));
  }

  /** The hash pool is full: the client is told so instead of waiting in an unbounded queue. */
  private static Future<JsonObject> busy(Throwable e) {
    return e instanceof HashPool.Busy ? Future.succeededFuture(Reply.fail(Messages.BUSY)) : Future.failedFuture(e);
  }

  /** A checked user gets a server first, then its token: a failed assignment leaves no token behind. */
  private Future<JsonObject> admit(User user, SocketAddress local) {
    return fleet.assign(user).recover(e -> Future.failedFuture(new NoServer(e))).compose(server ->
        db.tx(c -> {
          String token = users.ensureToken(c, user.id(), nonce -> auth.tokens().derive(user.id(), nonce),
              auth.tokens().idleMillis(), auth.tokens().lifetimeMillis());
          return loginReply(user, token, groups.joined(c, user.id()), server, local);
        })).onSuccess(reply -> logins.ok());
  }

  private JsonObject loginReply(User user, String token, List<Group> joined, AppAddress server, SocketAddress local) {
    JsonArray channels = new JsonArray().add(new JsonObject().put("type", 0).put("channel", user.channel()));
    joined.forEach(g -> channels.add(new JsonObject().put("type", 1).put("name", g.name()).put("channel", g.channel())));
    JsonObject reply = Reply.ok()
        .put("token", token)
        .put("channel", channels)
        .put("server", advertised(server, local).toJson())
        .put("broker", Advertise.url(brokerUrls.get(0), local));
    if (brokerUrls.size() > 1) {
      reply.put("brokers", brokers(local));
    }
    return reply;
  }

  /**
   * Every broker of a pair, in the order to try them. {@code broker} stays one address, the
   * first of them, for clients that know only that key.
   */
  private JsonArray brokers(SocketAddress local) {
    JsonArray all = new JsonArray();
    brokerUrls.forEach(u -> all.add(Advertise.url(u, local)));
    return all;
  }

  private Future<JsonObject> logout(User me) {
    return db.tx(c -> {
      users.clearToken(c, me.id());
      return null;
    }).compose(v -> fleet.release(me)).map(v -> Reply.ok(Messages.BYE));
  }

  private Future<JsonObject> delete(User me) {
    return db.tx(c -> {
      users.delete(c, me.id());
      return null;
    }).compose(v -> fleet.release(me)).map(v -> Reply.ok());
  }

  /**
   * Older clients send every command here: pass it to the user's server, and tell the client
   * where that server is, so a client whose server was replaced learns the new one. When that
   * server does not answer, {@link Forwarder#after} says what to do.
   */
  private Future<JsonObject> forward(Request r, User me, SocketAddress local) {
    return fleet.serverOf(me).compose(server -> forwardTo(server, r, me, local).recover(e ->
        fleet.serverOf(me).compose(now -> switch (Forwarder.after(e, server, now)) {
          case TO_NEW_SERVER -> forwardTo(now, r, me, local);
          case SUSPECT -> fleet.suspect(server).compose(v -> fleet.serverOf(me)).compose(next -> forwardTo(next, r, me, local));
          case FAIL -> Future.failedFuture(e);
        })));
  }

  private Future<JsonObject> forwardTo(AppAddress server, Request r, User me, SocketAddress local) {
    return forwarder.forward(server, r.text(me.token()))
        .map(reply -> reply.put("server", advertised(server, local).toJson()));
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
