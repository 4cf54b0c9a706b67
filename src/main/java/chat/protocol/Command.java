package chat.protocol;

import java.util.HashMap;
import java.util.Map;

/**
 * The sixteen commands, with the usage line each one answers and the shape of its arguments.
 * Strings are copied from PROTOCOL.md section 4.
 */
public enum Command {
  REGISTER("register", "Usage: register <username> <password>", Args.EXACT, 2, Role.LOGIN, null),
  LOGIN("login", "Usage: login <id> <password>", Args.EXACT, 2, Role.LOGIN, null),
  LOGOUT("logout", "Usage: logout <user>", Args.EXACT, 0, Role.LOGIN, null),
  DELETE("delete", "Usage: delete <user>", Args.EXACT, 0, Role.LOGIN, null),
  INVITE("invite", "Usage: invite <user> <id>", Args.EXACT, 1, Role.APP, null),
  LIST_INVITE("list-invite", "Usage: list-invite <user>", Args.EXACT, 0, Role.APP, "invite"),
  ACCEPT_INVITE("accept-invite", "Usage: accept-invite <user> <id>", Args.EXACT, 1, Role.APP, null),
  LIST_FRIEND("list-friend", "Usage: list-friend <user>", Args.EXACT, 0, Role.APP, "friend"),
  POST("post", "Usage: post <user> <message>", Args.AT_LEAST, 1, Role.APP, null),
  RECEIVE_POST("receive-post", "Usage: receive-post <user>", Args.EXACT, 0, Role.APP, "post"),
  SEND("send", "Usage: send <user> <friend> <message>", Args.AT_LEAST, 2, Role.APP, null),
  CREATE_GROUP("create-group", "Usage: create-group <user> <group>", Args.EXACT, 1, Role.APP, null),
  LIST_GROUP("list-group", "Usage: list-group <user>", Args.EXACT, 0, Role.APP, "group"),
  LIST_JOINED("list-joined", "Usage: list-joined <user>", Args.EXACT, 0, Role.APP, "group"),
  JOIN_GROUP("join-group", "Usage: join-group <user> <group>", Args.EXACT, 1, Role.APP, null),
  SEND_GROUP("send-group", "Usage: send-group <user> <group> <message>", Args.AT_LEAST, 2, Role.APP, null);

  /** Whether the argument count must be exact or is a minimum (the last argument is a message). */
  public enum Args { EXACT, AT_LEAST }

  /** Which server answers the command: the login server, or the user's application server. */
  public enum Role { LOGIN, APP }

  private static final Map<String, Command> BY_WORD = new HashMap<>();

  static {
    for (Command c : values()) {
      BY_WORD.put(c.word, c);
    }
  }

  public final String word;
  public final String usage;
  public final Args args;
  /** Words after the command (register, login) or after the token (all others). */
  public final int argCount;
  public final Role role;
  /** JSON key of the list in a successful reply, or null for commands answered with a message. */
  public final String listKey;

  Command(String word, String usage, Args args, int argCount, Role role, String listKey) {
    this.word = word;
    this.usage = usage;
    this.args = args;
    this.argCount = argCount;
    this.role = role;
    this.listKey = listKey;
  }

  public static Command byWord(String word) {
    return BY_WORD.get(word);
  }

  /** register and login carry a name and password; every other command carries a token first. */
  public boolean takesToken() {
    return this != REGISTER && this != LOGIN;
  }

  public boolean argsFit(int count) {
    return args == Args.EXACT ? count == argCount : count >= argCount;
  }
}
