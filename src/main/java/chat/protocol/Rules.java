package chat.protocol;

import io.vertx.core.json.JsonObject;

import java.lang.Character.UnicodeScript;
import java.text.Normalizer;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The priority of checks of PROTOCOL.md section 4, as pure functions. Each returns the reply
 * of the first failure that applies, or null when the command may go on. Handlers gather the
 * facts from the store and ask these functions; they never decide an order themselves.
 */
public final class Rules {
  /** Longest user or group name accepted; longer ones would not fit an index on every store. */
  public static final int MAX_NAME = 256;

  /**
   * Scripts that may share one name (the "highly restrictive" profile of Unicode TS #39):
   * Japanese, Chinese and Korean are written with several, each may go with Latin. Any other
   * mix (Latin with Cyrillic or Greek, say) is how look-alike names are made.
   */
  private static final List<Set<UnicodeScript>> SCRIPT_MIXES = List.of(
      EnumSet.of(UnicodeScript.LATIN, UnicodeScript.HAN, UnicodeScript.HIRAGANA, UnicodeScript.KATAKANA),
      EnumSet.of(UnicodeScript.LATIN, UnicodeScript.HAN, UnicodeScript.BOPOMOFO),
      EnumSet.of(UnicodeScript.LATIN, UnicodeScript.HAN, UnicodeScript.HANGUL));

  /** Letters Unicode files under no one script that belong to one in a name (the katakana long vowel). */
  private static final Map<Integer, UnicodeScript> SCRIPT_OF = Map.of(0x30FC, UnicodeScript.KATAKANA);

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

  /** A name already taken is answered as the protocol says, whatever it looks like; then {@link #name}. */
  public static String register(String id, boolean exists, Limits limits) {
    if (exists) {
      return Messages.alreadyUsed(id);
    }
    return name(id, limits);
  }

  /**
   * A new user or group name: too long, then outside the safe set; null when it may be used.
   * The safe set: ASCII digits, {@code _ - .}, and letters (any script, but one script per
   * name bar the mixes of {@link #SCRIPT_MIXES}, with the marks of that script), at least one
   * letter or digit, and the input in NFC with no compatibility variant (fullwidth or
   * mathematical letters, ligatures, superscripts), so a name has one spelling. That leaves out
   * controls, format characters (zero-width and bidi), spaces and separators, symbols and every
   * other punctuation.
   */
  public static String name(String name, Limits limits) {
    if (name.length() > MAX_NAME || name.codePointCount(0, name.length()) > limits.nameLength()) {
      return Messages.NAME_TOO_LONG;
    }
    return !limits.safeNames() || safeName(name) ? null : Messages.invalidName(limits.nameLength());
  }

  static boolean safeName(String name) {
    if (!Normalizer.isNormalized(name, Normalizer.Form.NFC) || !Normalizer.isNormalized(name, Normalizer.Form.NFKC)) {
      return false;
    }
    Set<UnicodeScript> scripts = EnumSet.noneOf(UnicodeScript.class);
    UnicodeScript previous = null;
    boolean letterOrDigit = false;
    for (int i = 0; i < name.length(); ) {
      int cp = name.codePointAt(i);
      i += Character.charCount(cp);
      if ((cp >= '0' && cp <= '9') || cp == '_' || cp == '-' || cp == '.') {
        letterOrDigit |= Character.isDigit(cp);
        previous = null;
        continue;
      }
      UnicodeScript script = SCRIPT_OF.getOrDefault(cp, UnicodeScript.of(cp));
      if (script == UnicodeScript.COMMON || script == UnicodeScript.INHERITED || script == UnicodeScript.UNKNOWN) {
        return false;
      }
      int type = Character.getType(cp);
      boolean mark = type == Character.NON_SPACING_MARK || type == Character.COMBINING_SPACING_MARK;
      if (mark ? script != previous : !Character.isLetter(cp)) {
        return false; // a letter, or a mark on a letter of its own script
      }
      letterOrDigit = true;
      scripts.add(script);
      previous = script;
    }
    return letterOrDigit && (scripts.size() <= 1 || SCRIPT_MIXES.stream().anyMatch(m -> m.containsAll(scripts)));
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

  /** The protocol's answer for a taken name first, then the checks of a new name, then the quota. */
  public static String createGroup(String group, boolean exists, int createdByMe, Limits limits) {
    if (exists) {
      return Messages.groupExists(group);
    }
    String bad = name(group, limits);
    if (bad != null) {
      return bad;
    }
    return over(createdByMe, limits.maxGroupsPerUser()) ? Messages.tooManyGroups(limits.maxGroupsPerUser()) : null;
  }

  /**
   * The message of post, send and send-group is too long: checked right after the usage, like
   * it, before anything is looked up.
   */
  public static JsonObject messageLength(Request r, Limits limits) {
    Command c = r.command();
    int max = limits.maxMessageLength();
    if (max <= 0 || c.args != Command.Args.AT_LEAST) {
      return null;
    }
    String message = r.rest(c.argCount - 1);
    return message.codePointCount(0, message.length()) > max ? Reply.fail(Messages.messageTooLong(max)) : null;
  }

  /** One more post for a user who has {@code posts} already. */
  public static String post(int posts, Limits limits) {
    return over(posts, limits.maxPostsPerUser()) ? Messages.tooManyPosts(limits.maxPostsPerUser()) : null;
  }

  /** Whether one more would pass {@code max}; a max of 0 is no limit. */
  private static boolean over(int count, int max) {
    return max > 0 && count >= max;
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
