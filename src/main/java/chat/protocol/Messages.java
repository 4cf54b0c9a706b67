package chat.protocol;

/** Every fixed reply string of PROTOCOL.md section 4, and the ones built from a name. */
public final class Messages {
  public static final String SUCCESS = "Success!";
  public static final String BYE = "Bye!";
  public static final String NOT_LOGIN = "Not login yet";
  public static final String BAD_LOGIN = "No such user or password error";
  public static final String INVITE_SELF = "You cannot invite yourself";
  public static final String ALREADY_INVITED = "Already invited";
  public static final String NO_SUCH_USER = "No such user exist";
  public static final String NO_SUCH_GROUP = "No such group exist";
  public static final String NO_INVITATIONS = "No invitations";
  public static final String NO_FRIENDS = "No friends";
  public static final String NO_GROUPS = "No groups";
  public static final String NO_POSTS = "No posts";

  // Failures outside the reference protocol: bad input and service trouble.
  public static final String EMPTY_REQUEST = "Empty request";
  public static final String NOT_UTF8 = "Request is not valid UTF-8";
  public static final String TOO_LONG = "Request too long";
  public static final String NAME_TOO_LONG = "Name too long";
  public static final String NO_SERVER = "No application server available, try again later";
  public static final String UNAVAILABLE = "Service unavailable, try again";
  public static final String LOGIN_SERVER_ONLY = "Send this command to the login server";
  // Limits outside the reference protocol (Limits, LoginGuard): counts come from the settings.
  public static final String TOO_MANY_REQUESTS = "Too many requests, try again later";
  public static final String TOO_MANY_ATTEMPTS = "Too many attempts, try again later";
  public static final String BUSY = "Server busy, try again later";

  private Messages() { }

  /** A new user or group name outside the safe set; {@code max} is the longest name accepted. */
  public static String invalidName(int max) {
    return "Invalid name: use letters, digits, _ - . (at most " + max + ")";
  }

  public static String messageTooLong(int max) {
    return "Message too long (at most " + max + " characters)";
  }

  public static String tooManyPosts(int max) {
    return "Too many posts (at most " + max + ")";
  }

  public static String tooManyGroups(int max) {
    return "Too many groups created (at most " + max + ")";
  }

  public static String passwordTooShort(int minLength) {
    return "Password too short (at least " + minLength + " characters)";
  }

  public static String unknownCommand(String word) {
    return "Unknown command " + word;
  }

  public static String alreadyUsed(String id) {
    return id + " is already used";
  }

  public static String doesNotExist(String id) {
    return id + " does not exist";
  }

  public static String alreadyFriend(String id) {
    return id + " is already your friend";
  }

  public static String hasInvitedYou(String id) {
    return id + " has invited you";
  }

  public static String didNotInvite(String id) {
    return id + " did not invite you";
  }

  public static String notYourFriend(String id) {
    return id + " is not your friend";
  }

  public static String notOnline(String id) {
    return id + " is not online";
  }

  public static String groupExists(String group) {
    return group + " already exist";
  }

  public static String alreadyMember(String group) {
    return "Already a member of " + group;
  }

  public static String notMember(String group) {
    return "You are not the member of " + group;
  }
}
