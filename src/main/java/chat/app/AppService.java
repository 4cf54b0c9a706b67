package chat.app;

import chat.messaging.Channels;
import chat.messaging.Messenger;
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
import chat.store.User;
import chat.store.UserRepository;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.SocketAddress;
import io.vertx.sqlclient.SqlConnection;

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

  private final Db db;
  private final Messenger messenger;
  private final Limits limits;
  /** Null when writes are not rate limited. */
  private final RateLimiter writes;
  private final UserRepository users = new UserRepository();
  private final FriendRepository friends = new FriendRepository();
  private final PostRepository posts = new PostRepository();
  private final GroupRepository groups = new GroupRepository();

  public AppService(Db db, Messenger messenger, Limits limits) {
    this.db = db;
    this.messenger = messenger;
    this.limits = limits;
    this.writes = limits.rateLimited()
        ? new RateLimiter(limits.writeBurst(), limits.writesPerSecond(), limits.rateTrackedUsers(), System::nanoTime)
        : null;
  }

  /**
   * Answers a request sent to an application server. The login server's four commands are
   * not answered here: they change which server a user has.
   */
  public Future<JsonObject> handle(String text, SocketAddress local) {
    Request r = Request.parse(text);
    JsonObject early = Rules.beforeToken(r);
    if (early != null) {
      return Future.succeededFuture(early);
    }
    return r.command().role == Command.Role.LOGIN ? Future.succeededFuture(Reply.fail(Messages.LOGIN_SERVER_ONLY))
        : handle(r);
  }

  /**
   * Answers a request whose command is an application command, from the token on. The checks
   * and the change are one transaction; a message is published only once it has committed.
   */
  public Future<JsonObject> handle(Request r) {
    // Two requests racing to make the same row (one group name, one invitation): the loser's
    // transaction breaks a unique index. Asked again, it sees the winner's row and answers as
    // the protocol says ("already exist", "Already invited").
    return handleOnce(r).recover(e -> Db.isConstraintViolation(e) ? handleOnce(r) : Future.failedFuture(e));
  }

  private Future<JsonObject> handleOnce(Request r) {
    return db.tx(c -> users.byToken(c, r.token()).compose(me -> {
      if (me == null) {
        return answer(Reply.fail(Messages.NOT_LOGIN));
      }
      JsonObject early = beforeStore(r, me);
      return early != null ? answer(early) : dispatch(c, r.command(), r, me);
    })).compose(Outcome::publish);
  }

  /**
   * The checks after the token that need nothing from the store: usage, then the user's write
   * rate (so a flood costs no more than this), then the length of a message.
   */
  private JsonObject beforeStore(Request r, User me) {
    JsonObject usage = Rules.usage(r);
    if (usage != null) {
      return usage;
    }
    if (writes != null && WRITES.contains(r.command()) && !writes.tryAcquire(me.id())) {
      return Reply.fail(Messages.TOO_MANY_REQUESTS);
    }
    return Rules.messageLength(r, limits);
  }

  private Future<Outcome> dispatch(SqlConnection c, Command cmd, Request r, User me) {
    return switch (cmd) {
      case INVITE -> invite(c, me, r.arg(0));
      case LIST_INVITE -> list(cmd, friends.inviters(c, me.id()));
      case ACCEPT_INVITE -> acceptInvite(c, me, r.arg(0));
      case LIST_FRIEND -> list(cmd, friends.friendNames(c, me.id()));
      case POST -> post(c, me, r.rest(0));
      case RECEIVE_POST -> list(cmd, posts.feed(c, me.id(), limits.maxFeedPosts()));
      case SEND -> send(c, me, r.arg(0), r.rest(1));
      case CREATE_GROUP -> createGroup(c, me, r.arg(0));
      case LIST_GROUP -> list(cmd, groups.all(c));
      case LIST_JOINED -> list(cmd, groups.joined(c, me.id()).map(AppService::names));
      case JOIN_GROUP -> joinGroup(c, me, r.arg(0));
      case SEND_GROUP -> sendGroup(c, me, r.arg(0), r.rest(1));
      default -> answer(Reply.fail(Messages.LOGIN_SERVER_ONLY));
    };
  }

  /** A reply, and the message to publish once the transaction behind it has committed. */
  private record Outcome(JsonObject reply, Supplier<Future<Void>> publication) {
    Future<JsonObject> publish() {
      return publication == null ? Future.succeededFuture(reply) : publication.get().map(reply);
    }
  }

  private static Future<Outcome> answer(JsonObject reply) {
    return Future.succeededFuture(new Outcome(reply, null));
  }

  private static Future<Outcome> list(Command cmd, Future<? extends List<?>> items) {
    return items.map(l -> new Outcome(Reply.list(cmd.listKey, l), null));
  }

  private Future<Outcome> invite(SqlConnection c, User me, String id) {
    return users.byName(c, id).compose(target -> {
      if (target == null || target.id() == me.id()) {
        return done(Rules.invite(me.name(), id, target != null, false, false, false));
      }
      return friends.friends(c, me.id(), target.id()).compose(areFriends ->
          friends.invited(c, me.id(), target.id()).compose(invited ->
              friends.invited(c, target.id(), me.id()).compose(invitedMe -> {
                String failure = Rules.invite(me.name(), id, true, areFriends, invited, invitedMe);
                return failure != null ? done(failure) : friends.invite(c, me.id(), target.id()).map(v -> ok());
              })));
    });
  }

  private Future<Outcome> acceptInvite(SqlConnection c, User me, String id) {
    return users.byName(c, id).compose(inviter -> {
      Future<Boolean> invitedMe = inviter == null ? Future.succeededFuture(false)
          : friends.invited(c, inviter.id(), me.id());
      return invitedMe.compose(yes -> {
        String failure = Rules.acceptInvite(id, yes);
        return failure != null ? done(failure) : friends.accept(c, me.id(), inviter.id()).map(v -> ok());
      });
    });
  }

  private Future<Outcome> post(SqlConnection c, User me, String message) {
    return count(limits.maxPostsPerUser(), () -> posts.count(c, me.id())).compose(n -> {
      String failure = Rules.post(n, limits);
      return failure != null ? done(failure) : posts.post(c, me.id(), message).map(v -> ok());
    });
  }

  /** A count a quota needs, read only when that quota is on. */
  private static Future<Integer> count(int quota, Supplier<Future<Integer>> read) {
    return quota > 0 ? read.get() : Future.succeededFuture(0);
  }

  private Future<Outcome> send(SqlConnection c, User me, String to, String message) {
    return users.byName(c, to).compose(friend -> {
      if (friend == null) {
        return done(Rules.send(to, false, false, false));
      }
      return friends.friends(c, me.id(), friend.id()).compose(areFriends -> {
        String failure = Rules.send(to, true, areFriends, friend.online());
        return failure != null ? done(failure) : Future.succeededFuture(new Outcome(Reply.ok(),
            () -> messenger.direct(friend.channel(), Deliveries.direct(me.name(), friend.name(), message))));
      });
    });
  }

  private Future<Outcome> createGroup(SqlConnection c, User me, String name) {
    return groups.byName(c, name).compose(existing -> count(limits.maxGroupsPerUser(),
        () -> groups.createdBy(c, me.id())).compose(created -> {
      String failure = Rules.createGroup(name, existing != null, created, limits);
      if (failure != null) {
        return done(failure);
      }
      return groups.create(c, name, Channels.newGroup(), me.id())
          .compose(g -> groups.join(c, g.seq(), me.id()).map(v -> withChannel(g)));
    }));
  }

  private Future<Outcome> joinGroup(SqlConnection c, User me, String name) {
    return groups.byName(c, name).compose(g -> {
      Future<Boolean> member = g == null ? Future.succeededFuture(false) : groups.member(c, g.seq(), me.id());
      return member.compose(yes -> {
        String failure = Rules.joinGroup(name, g != null, yes);
        return failure != null ? done(failure) : groups.join(c, g.seq(), me.id()).map(v -> withChannel(g));
      });
    });
  }

  private static List<String> names(List<Group> groups) {
    List<String> names = new ArrayList<>(groups.size());
    groups.forEach(g -> names.add(g.name()));
    return names;
  }

  private Future<Outcome> sendGroup(SqlConnection c, User me, String name, String message) {
    return groups.byName(c, name).compose(g -> {
      Future<Boolean> member = g == null ? Future.succeededFuture(false) : groups.member(c, g.seq(), me.id());
      return member.compose(yes -> {
        String failure = Rules.sendGroup(name, g != null, yes);
        return failure != null ? done(failure) : Future.succeededFuture(new Outcome(Reply.ok(),
            () -> messenger.group(g.channel(), Deliveries.group(me.name(), g.name(), message))));
      });
    });
  }

  /** create-group and join-group tell the client which channel to subscribe to. */
  private static Outcome withChannel(Group g) {
    return new Outcome(Reply.ok().put("channel", g.channel()), null);
  }

  private static Outcome ok() {
    return new Outcome(Reply.ok(), null);
  }

  private static Future<Outcome> done(String failure) {
    return answer(Reply.fail(failure));
  }

}
