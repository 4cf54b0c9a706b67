package chat.client;

import chat.protocol.ClientProtocol;
import chat.protocol.Command;
import chat.protocol.Deliveries;
import chat.protocol.Reply;
import chat.protocol.Request;
import chat.protocol.SafeText;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the interactive client offers on Tab, and which part of a typed line is a password.
 * User and group names are learned from what the client has seen: names in commands that
 * succeeded, in list replies, in posts and in deliveries. No I/O; safe to use from the
 * thread that prints deliveries and the one that reads lines at once.
 */
final class Vocabulary {
  /** What a word after the command word stands for. */
  enum Arg {
    /** a user logged in through this client */
    ME,
    /** any user the client has seen */
    USER,
    /** a user name being made: learned, not offered */
    NEW_USER,
    GROUP,
    NEW_GROUP,
    /** a password: never shown, never kept in history */
    SECRET,
    /** the message: this word and every later one */
    TEXT
  }

  /** The words after the command word of each command, after PROTOCOL.md section 4. */
  static final Map<Command, List<Arg>> ARGS = new EnumMap<>(Map.ofEntries(
      Map.entry(Command.REGISTER, List.of(Arg.NEW_USER, Arg.SECRET)),
      Map.entry(Command.LOGIN, List.of(Arg.USER, Arg.SECRET)),
      Map.entry(Command.LOGOUT, List.of(Arg.ME)),
      Map.entry(Command.DELETE, List.of(Arg.ME)),
      Map.entry(Command.INVITE, List.of(Arg.ME, Arg.USER)),
      Map.entry(Command.LIST_INVITE, List.of(Arg.ME)),
      Map.entry(Command.ACCEPT_INVITE, List.of(Arg.ME, Arg.USER)),
      Map.entry(Command.LIST_FRIEND, List.of(Arg.ME)),
      Map.entry(Command.POST, List.of(Arg.ME, Arg.TEXT)),
      Map.entry(Command.RECEIVE_POST, List.of(Arg.ME)),
      Map.entry(Command.SEND, List.of(Arg.ME, Arg.USER, Arg.TEXT)),
      Map.entry(Command.CREATE_GROUP, List.of(Arg.ME, Arg.NEW_GROUP)),
      Map.entry(Command.LIST_GROUP, List.of(Arg.ME)),
      Map.entry(Command.LIST_JOINED, List.of(Arg.ME)),
      Map.entry(Command.JOIN_GROUP, List.of(Arg.ME, Arg.GROUP)),
      Map.entry(Command.SEND_GROUP, List.of(Arg.ME, Arg.GROUP, Arg.TEXT))));

  /** Words only the interactive client knows; they never reach a server. */
  static final String HELP = "help";

  /** Names kept at most, of users and of groups each: completion is a convenience, not a directory. */
  static final int MAX_NAMES = 10_000;

  /** A word as {@link Request#parse} splits them: what the server will see as one word. */
  private static final Pattern WORD = Pattern.compile("\\S+");

  private final NavigableSet<String> users = new ConcurrentSkipListSet<>();
  private final NavigableSet<String> groups = new ConcurrentSkipListSet<>();
  private final Supplier<Collection<String>> loggedIn;

  /** {@code loggedIn}: the users logged in through this client now. */
  Vocabulary(Supplier<Collection<String>> loggedIn) {
    this.loggedIn = loggedIn;
  }

  /** The kind of word at {@code index} (0 is the command word) of command {@code c}; null when none is expected. */
  static Arg argAt(Command c, int index) {
    List<Arg> args = c == null ? null : ARGS.get(c);
    if (args == null || index < 1) {
      return null;
    }
    if (index <= args.size()) {
      return args.get(index - 1);
    }
    return args.get(args.size() - 1) == Arg.TEXT ? Arg.TEXT : null;
  }

  /**
   * What may stand at the word after {@code before} (the words typed before it), sorted; every
   * candidate is a whole word. Commands first, then names of the kind the command expects.
   */
  List<String> candidates(List<String> before) {
    if (before.isEmpty()) {
      List<String> words = new ArrayList<>();
      for (Command c : Command.values()) {
        words.add(c.word);
      }
      words.add(HELP);
      words.add(ClientProtocol.EXIT);
      return words.stream().sorted().toList();
    }
    Arg arg = argAt(Command.byWord(before.get(0)), before.size());
    if (arg == null) {
      return List.of();
    }
    return switch (arg) {
      case ME -> loggedIn.get().stream().sorted().toList();
      case USER -> List.copyOf(users);
      case GROUP -> List.copyOf(groups);
      default -> List.of();
    };
  }

  /** Learns the names of a command that was answered. */
  void learn(String line, JsonObject reply) {
    if (!Reply.isOk(reply)) {
      return;
    }
    List<String> words = Request.parse(line).words();
    Command c = words.isEmpty() ? null : Command.byWord(words.get(0));
    if (c == null) {
      return;
    }
    for (int i = 1; i < words.size(); i++) {
      Arg arg = argAt(c, i);
      if (arg == Arg.USER || arg == Arg.NEW_USER || arg == Arg.ME) {
        add(users, words.get(i));
      } else if (arg == Arg.GROUP || arg == Arg.NEW_GROUP) {
        add(groups, words.get(i));
      }
    }
    if (c.listKey != null && reply.getValue(c.listKey) instanceof JsonArray items) {
      NavigableSet<String> into = c.listKey.equals("group") ? groups : users;
      for (Object item : items) {
        // a post is {id: its author, message}; the other lists are names
        add(into, item instanceof JsonObject post ? post.getString("id") : String.valueOf(item));
      }
    }
  }

  /** Learns the sender, and the recipient or group, of a delivery. */
  void learnDelivery(JsonObject body) {
    add(users, body.getString("from"));
    Integer type = body.getInteger("type");
    add(type != null && type == Deliveries.GROUP ? groups : users, body.getString("to"));
  }

  /**
   * Where the password of a typed line begins (the start of its {@link Arg#SECRET} word), or
   * -1 when the line has none yet. Everything from there on is secret.
   */
  static int secretStart(String line) {
    Matcher words = WORD.matcher(line);
    Command c = null;
    for (int index = 0; words.find(); index++) {
      if (index == 0) {
        c = Command.byWord(words.group());
      } else if (argAt(c, index) == Arg.SECRET) {
        return words.start();
      }
    }
    return -1;
  }

  /** The line as shown while it is typed: its password as stars, one for each character. */
  static String masked(String line) {
    int from = secretStart(line);
    return from < 0 ? line : line.substring(0, from) + "*".repeat(line.length() - from);
  }

  /** The line as kept in history: without its password, so recalling it asks for the password again. */
  static String withoutSecret(String line) {
    int from = secretStart(line);
    return from < 0 ? line : line.substring(0, from).stripTrailing();
  }

  private static void add(NavigableSet<String> into, String name) {
    if (name != null && !name.isEmpty() && name.length() <= 256 && into.size() < MAX_NAMES
        && SafeText.isSafe(name) && WORD.matcher(name).matches()) {
      into.add(name);
    }
  }
}
