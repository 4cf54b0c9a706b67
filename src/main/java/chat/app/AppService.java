package chat.app;

import chat.messaging.Channels;
import chat.messaging.Messenger;
import chat.ops.CommandMeters;
import chat.protocol.Command;
import chat.protocol.Deliveries;
import chat.protocol.Limits;
import chat.protocol.Messages;
import chat.protocol.Reply;
import chat.protocol.Request;
import chat.protocol.Rules;
import chat.store.Db;
import chat.store.FriendRepository;
import chat.store.Group;
import chat.store.GroupRepository;
import chat.store.PostRepository;
import chat.store.Sql;
import chat.store.User;
import chat.store.UserRepository;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.SocketAddress;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The twelve application commands: friends, posts, direct and group messages. Stateless:
 * everything it knows is in the store, so any application server can serve any user.
 */
public final class AppService {
  /** The commands that write, and so are rate limited per user. */
  private static final Set<Command> WRITES = EnumSet.of(Command.POST, Command.SEND, Command.SEND_GROUP,
      Command.CREATE_GROUP);
  /**
   * The commands whose statements each stand alone, so they need no transaction around them:
   * those that only read (a message goes to the broker, not the store), and post, whose insert
   * is one statement with its quota and its count.
   */
  private static final Set<Command> AUTO_COMMIT = EnumSet.of(Command.LIST_INVITE, Command.LIST_FRIEND,
      Command.RECEIVE_POST, Command.SEND, Command.LIST_GROUP, Command.LIST_JOINED, Command.SEND_GROUP, Command.POST);

  /** The commands whose user is found by the same statement that reads what they need. */
  private static final Set<Command> ONE_STATEMENT = EnumSet.of(Command.LIST_FRIEND, Command.RECEIVE_POST,
      Command.SEND, Command.SEND_GROUP);

  private final Db db;
  private final Messenger messenger;
  private final Limits limits;
  private final CommandMeters meters;
  /** Null when writes are not rate limited. */
  private final RateLimiter writes;
  private final UserRepository users = new UserRepository();
  private final FriendRepository friends = new FriendRepository();
  private final PostRepository posts = new PostRepository();
  private final GroupRepository groups = new GroupRepository();
  /** The users of tokens that posted lately, so that their next posts are one statement each. */
  private final HeldTokens posters;

  public AppService(Db db, Messenger messenger, Limits limits, CommandMeters meters) {
    this.db = db;
    this.meters = meters;
    this.messenger = messenger;
    this.limits = limits;
    this.writes = limits.rateLimited()
        ? new RateLimiter(limits.writeBurst(), limits.writesPerSecond(), limits.rateTrackedUsers(), System::nanoTime)
        : null;
    this.posters = new HeldTokens(limits.rateTrackedUsers() > 0 ? limits.rateTrackedUsers() : Integer.MAX_VALUE);
  }

  /**
   * Answers a request sent to an application server. The login server's four commands are
   * not answered here: they change which server a user has.
   */
  public Future<JsonObject> handle(String text, SocketAddress local) {
    long start = System.nanoTime();
    Request r = Request.parse(text);
    return meters.timed(r.command(), start, answer(r));
  }

  private Future<JsonObject> answer(Request r) {
    JsonObject early = Rules.beforeToken(r);
    if (early != null) {
      return Future.succeededFuture(early);
    }
    return r.command().role == Command.Role.LOGIN ? Future.succeededFuture(Reply.fail(Messages.LOGIN_SERVER_ONLY))
        : handle(r);
  }

  /**
   * Answers a request whose command is an application command, from the token on. The checks
   * and the change of a command that writes are one transaction; a command that only reads
   * needs none. A message is published only once the work behind it has succeeded.
   */
  public Future<JsonObject> handle(Request r) {
    // Two requests racing to make the same row (one group name, one invitation): the loser's
    // transaction breaks a unique index. Asked again, it sees the winner's row and answers as
    // the protocol says ("already exist", "Already invited").
    return handleOnce(r).recover(e -> Db.isConstraintViolation(e) ? handleOnce(r) : Future.failedFuture(e));
  }

  private Future<JsonObject> handleOnce(Request r) {
    Db.Work<Outcome> work = c -> {
      if (ONE_STATEMENT.contains(r.command())) {
        return oneStatement(c, r);
      }
      if (r.command() == Command.POST) {
        return post(c, r);
      }
      User me = users.byToken(c, r.token());
      JsonObject early = afterToken(r, me);
      return early != null ? answer(early) : dispatch(c, r.command(), r, me);
    };
    return (AUTO_COMMIT.contains(r.command()) ? db.autoCommit(work) : db.tx(work)).compose(Outcome::publish);
  }

  /**
   * list-friend, receive-post, send and send-group: the user holding the token is found by the
   * same statement that reads what the command needs, one round trip in all. The checks keep
   * their order: the token, then usage, the write limit and the length, then the store's
   * answers; nothing is answered or sent unless all pass.
   */
  private Outcome oneStatement(Sql c, Request r) throws SQLException {
    // read before the usage check, which the token's check comes before: an argument may be missing
    String name = r.args().isEmpty() ? null : r.arg(0);
    switch (r.command()) {
      case LIST_FRIEND -> {
        UserRepository.Mine mine = friends.friendNames(c, users, r.token());
        JsonObject early = afterToken(r, mine == null ? null : mine.user());
        return early != null ? answer(early) : list(r.command(), Db.strings(mine.rows()));
      }
      case RECEIVE_POST -> {
        UserRepository.Mine mine = posts.feed(c, users, r.token(), limits.maxFeedPosts());
        JsonObject early = afterToken(r, mine == null ? null : mine.user());
        return early != null ? answer(early) : list(r.command(), PostRepository.posts(mine.rows()));
      }
      case SEND -> {
        FriendRepository.Recipient to = friends.recipient(c, users, r.token(), name);
        JsonObject early = afterToken(r, to == null ? null : to.me());
        return early != null ? answer(early) : send(to.me(), name, to.to(), to.friends(), r.rest(1));
      }
      default -> {
        GroupRepository.Target to = groups.target(c, users, r.token(), name);
        JsonObject early = afterToken(r, to == null ? null : to.me());
        return early != null ? answer(early) : sendGroup(to.me(), name, to.group(), to.member(), r.rest(1));
      }
    }
  }

  /** The checks from the token on that need nothing more from the store: {@code me} is the token's user, or null. */
  private JsonObject afterToken(Request r, User me) {
    return me == null ? Reply.fail(Messages.NOT_LOGIN) : beforeStore(r, me.id());
  }

  /**
   * The checks after the token that need nothing from the store: usage, then the user's write
   * rate (so a flood costs no more than this), then the length of a message.
   */
  private JsonObject beforeStore(Request r, long me) {
    JsonObject usage = Rules.usage(r);
    if (usage != null) {
      return usage;
    }
    if (writes != null && WRITES.contains(r.command()) && !writes.tryAcquire(me)) {
      return Reply.fail(Messages.TOO_MANY_REQUESTS);
    }
    return Rules.messageLength(r, limits);
  }

  private Outcome dispatch(Sql c, Command cmd, Request r, User me) throws SQLException {
    return switch (cmd) {
      case INVITE -> invite(c, me, r.arg(0));
      case LIST_INVITE -> list(cmd, friends.inviters(c, me.id()));
      case ACCEPT_INVITE -> acceptInvite(c, me, r.arg(0));
      case CREATE_GROUP -> createGroup(c, me, r.arg(0));
      case LIST_GROUP -> list(cmd, groups.all(c));
      case LIST_JOINED -> list(cmd, names(groups.joined(c, me.id())));
      case JOIN_GROUP -> joinGroup(c, me, r.arg(0));
      default -> answer(Reply.fail(Messages.LOGIN_SERVER_ONLY));
    };
  }

  /** A reply, and the message to publish once the transaction behind it has committed. */
  private record Outcome(JsonObject reply, Supplier<Future<Void>> publication) {
    Future<JsonObject> publish() {
      return publication == null ? Future.succeededFuture(reply) : publication.get().map(reply);
    }
  }

  private static Outcome answer(JsonObject reply) {
    return new Outcome(reply, null);
  }

  private static Outcome list(Command cmd, List<?> items) {
    return answer(Reply.list(cmd.listKey, items));
  }

  private Outcome invite(Sql c, User me, String id) throws SQLException {
    User target = users.byName(c, id);
    if (target == null || target.id() == me.id()) {
      return done(Rules.invite(me.name(), id, target != null, false, false, false));
    }
    String failure = Rules.invite(me.name(), id, true, friends.friends(c, me.id(), target.id()),
        friends.invited(c, me.id(), target.id()), friends.invited(c, target.id(), me.id()));
    if (failure != null) {
      return done(failure);
    }
    friends.invite(c, me.id(), target.id());
    return ok();
  }

  private Outcome acceptInvite(Sql c, User me, String id) throws SQLException {
    User inviter = users.byName(c, id);
    String failure = Rules.acceptInvite(id, inviter != null && friends.invited(c, inviter.id(), me.id()));
    if (failure != null) {
      return done(failure);
    }
    friends.accept(c, me.id(), inviter.id());
    return ok();
  }

  /**
   * post. By a token that posted here lately ({@link HeldTokens}), one statement: the insert
   * checks that the token still holds a valid session, and the quota. Otherwise the token is
   * read first, as for the other commands. The checks keep their order: a refusal after the
   * token's check (usage, the write limit, the length, the quota) is answered only once the
   * token is confirmed. A write refused for a session that ended meanwhile still counted
   * against its user's write limit, as a write of a client holding that token.
   */
  private Outcome post(Sql c, Request r) throws SQLException {
    String token = r.token();
    String hash = token == null ? null : UserRepository.tokenHash(token);
    long now = users.now();
    long known = hash == null ? -1 : posters.user(hash, now);
    if (known < 0) {
      UserRepository.Held held = users.held(c, token);
      JsonObject early = afterToken(r, held == null ? null : held.user());
      if (early != null) {
        return answer(early);
      }
      if (posts.post(c, held.user().id(), r.rest(0), limits.maxPostsPerUser())) {
        posters.put(hash, held, now);
        return ok();
      }
      return postRefused(c, held.user().id());
    }
    JsonObject early = beforeStore(r, known);
    if (early == null && posts.postHeld(c, known, hash, now, r.rest(0), limits.maxPostsPerUser())) {
      return ok();
    }
    User me = users.byToken(c, token);
    if (me == null) {
      posters.forget(hash);
      return answer(Reply.fail(Messages.NOT_LOGIN));
    }
    return early != null ? answer(early) : postRefused(c, me.id());
  }

  /** A post the insert refused: the quota is full, or the account was deleted meanwhile. */
  private Outcome postRefused(Sql c, long me) throws SQLException {
    String failure = Rules.post(posts.count(c, me), limits);
    // not counted although there is room: the account was deleted meanwhile
    return done(failure != null ? failure : Messages.NOT_LOGIN);
  }

  private Outcome send(User me, String name, User to, boolean friends, String message) {
    String failure = Rules.send(name, to != null, friends, to != null && to.online());
    return failure != null ? done(failure) : new Outcome(Reply.ok(),
        () -> messenger.direct(to.channel(), Deliveries.direct(me.name(), to.name(), message)));
  }

  private Outcome createGroup(Sql c, User me, String name) throws SQLException {
    boolean exists = groups.byName(c, name) != null;
    int created = limits.maxGroupsPerUser() > 0 ? groups.createdBy(c, me.id()) : 0;
    String failure = Rules.createGroup(name, exists, created, limits);
    if (failure != null) {
      return done(failure);
    }
    Group g = groups.create(c, name, Channels.newGroup(), me.id());
    groups.join(c, g.seq(), me.id());
    return withChannel(g);
  }

  private Outcome joinGroup(Sql c, User me, String name) throws SQLException {
    Group g = groups.byName(c, name);
    String failure = Rules.joinGroup(name, g != null, g != null && groups.member(c, g.seq(), me.id()));
    if (failure != null) {
      return done(failure);
    }
    groups.join(c, g.seq(), me.id());
    return withChannel(g);
  }

  private static List<String> names(List<Group> groups) {
    List<String> names = new ArrayList<>(groups.size());
    groups.forEach(g -> names.add(g.name()));
    return names;
  }

  private Outcome sendGroup(User me, String name, Group g, boolean member, String message) {
    String failure = Rules.sendGroup(name, g != null, member);
    return failure != null ? done(failure) : new Outcome(Reply.ok(),
        () -> messenger.group(g.channel(), Deliveries.group(me.name(), g.name(), message)));
  }

  /** create-group and join-group tell the client which channel to subscribe to. */
  private static Outcome withChannel(Group g) {
    return new Outcome(Reply.ok().put("channel", g.channel()), null);
  }

  private static Outcome ok() {
    return new Outcome(Reply.ok(), null);
  }

  private static Outcome done(String failure) {
    return answer(Reply.fail(failure));
  }
}
