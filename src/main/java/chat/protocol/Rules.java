package chat.protocol;

import io.vertx.core.json.JsonObject;

/**
 * The priority of checks of PROTOCOL.md section 4, as pure functions. Each returns the reply
 * of the first failure that applies, or null when the command may go on. Handlers gather the
 * facts from the store and ask these functions; they never decide an order themselves.
 */
public final class Rules {
  /** Longest user or group name accepted; longer ones would not fit an index on every store. */
  public static final int MAX_NAME = 256;

  private Rules() { }

  /**
   * Checks that need no data: empty request, unknown command word, missing token, and the
   * usage of register and login (which carry no token).
   */
  public static JsonObject beforeToken(Request r) {
    if (r.isEmpty()) {
      return Reply.fail(Messages.EMPTY_REQUEST);
    }
    Command c = r.command();
    if (c == null) {
      return Reply.fail(Messages.unknownCommand(r.word()));
    }
    if (c.takesToken()) {
      return r.token() == null ? Reply.fail(Messages.NOT_LOGIN) : null;
    }
    return usage(r);
  }

  /** The usage check: for token commands it comes after the token was found valid. */
  public static JsonObject usage(Request r) {
    Command c = r.command();
    return c.argsFit(r.args().size()) ? null : Reply.fail(c.usage);
  }

  public static String register(String id, boolean exists) {
    if (exists) {
      return Messages.alreadyUsed(id);
    }
    return id.length() > MAX_NAME ? Messages.NAME_TOO_LONG : null;
  }

  public static String invite(String me, String id, boolean exists, boolean friends, boolean invited,
                              boolean invitedMe) {
    if (me.equals(id)) {
      return Messages.INVITE_SELF;
    }
    if (!exists) {
      return Messages.doesNotExist(id);
    }
    if (friends) {
      return Messages.alreadyFriend(id);
    }
    if (invited) {
      return Messages.ALREADY_INVITED;
    }
    return invitedMe ? Messages.hasInvitedYou(id) : null;
  }

  public static String acceptInvite(String id, boolean invitedMe) {
    return invitedMe ? null : Messages.didNotInvite(id);
  }

  public static String send(String friend, boolean exists, boolean friends, boolean online) {
    if (!exists) {
      return Messages.NO_SUCH_USER;
    }
    if (!friends) {
      return Messages.notYourFriend(friend);
    }
    return online ? null : Messages.notOnline(friend);
  }

  public static String createGroup(String group, boolean exists) {
    if (exists) {
      return Messages.groupExists(group);
    }
    return group.length() > MAX_NAME ? Messages.NAME_TOO_LONG : null;
  }

  public static String joinGroup(String group, boolean exists, boolean member) {
    if (!exists) {
      return Messages.doesNotExist(group);
    }
    return member ? Messages.alreadyMember(group) : null;
  }

  public static String sendGroup(String group, boolean exists, boolean member) {
    if (!exists) {
      return Messages.NO_SUCH_GROUP;
    }
    return member ? null : Messages.notMember(group);
  }

  /** A new password's length in characters (code points); {@code minLength <= 0} allows any. */
  public static String password(String password, int minLength) {
    return password.codePointCount(0, password.length()) < minLength ? Messages.passwordTooShort(minLength) : null;
  }
}
