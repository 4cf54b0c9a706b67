package chat.client;

import chat.protocol.ClientProtocol;
import chat.protocol.Command;
import chat.protocol.SafeText;
import org.jline.reader.Candidate;
import org.jline.reader.EndOfFileException;
import org.jline.reader.LineReader;
import org.jline.reader.LineReaderBuilder;
import org.jline.reader.MaskingCallback;
import org.jline.reader.ParsedLine;
import org.jline.reader.UserInterruptException;
import org.jline.reader.impl.DefaultParser;
import org.jline.reader.impl.history.DefaultHistory;
import org.jline.terminal.Attributes;
import org.jline.terminal.Terminal;
import org.jline.utils.AttributedString;
import org.jline.utils.AttributedStringBuilder;
import org.jline.utils.AttributedStyle;

import java.io.Console;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The client in a terminal: a prompt naming the users logged in here, line editing, history
 * kept in a file (passwords left out), Tab completion of commands and of the names the client
 * has seen, deliveries printed above the line being typed, colour for deliveries and errors,
 * and {@code help}. Colour codes come only from here: every remote line reaches the terminal
 * through {@link Output}, already made safe, as the text of one styled line.
 */
final class Shell implements ChatClient.LineSource, Output.Printer {
  private static final Map<Output.Kind, AttributedStyle> COLOURS = Map.of(
      Output.Kind.REPLY, AttributedStyle.DEFAULT,
      Output.Kind.ERROR, AttributedStyle.DEFAULT.foreground(AttributedStyle.RED),
      Output.Kind.DELIVERY, AttributedStyle.DEFAULT.foreground(AttributedStyle.CYAN),
      Output.Kind.NOTICE, AttributedStyle.DEFAULT.foreground(AttributedStyle.YELLOW));

  /** The password of a register or login line shows as stars and is not kept in history. */
  private static final MaskingCallback SECRETS = new MaskingCallback() {
    @Override
    public String display(String line) {
      return Vocabulary.masked(line);
    }

    @Override
    public String history(String line) {
      return Vocabulary.withoutSecret(line);
    }
  };

  private final Terminal terminal;
  private final boolean colour;
  private LineReader reader;
  private ChatClient client;

  /**
   * {@code colour}: whether to colour lines ({@code NO_COLOR} turns it off); the terminal's own
   * capabilities decide the rest.
   */
  Shell(Terminal terminal, boolean colour) {
    this.terminal = terminal;
    this.colour = colour;
  }

  /**
   * Runs {@code client}, made by {@code clientOf} from this shell's output, until {@code exit},
   * Ctrl-D or an untrusted server. {@code history}: the file that keeps typed lines, or null.
   */
  int run(Function<Output, ChatClient> clientOf, Path history) throws IOException, InterruptedException {
    client = clientOf.apply(new Output(this));
    DefaultParser words = new DefaultParser();
    // words split as the server splits them: quotes and backslashes are message text
    words.setEscapeChars(new char[0]);
    words.setQuoteChars(new char[0]);
    LineReaderBuilder builder = LineReaderBuilder.builder()
        .appName("chat")
        .terminal(terminal)
        .parser(words)
        .completer(this::complete)
        .history(new DefaultHistory())
        // '!' and '\' in a message are text, not history expansion or escapes
        .option(LineReader.Option.DISABLE_EVENT_EXPANSION, true)
        // a name completes only from its own beginning: a typo must not pick another user
        .option(LineReader.Option.COMPLETE_MATCHER_TYPO, false)
        .option(LineReader.Option.COMPLETE_MATCHER_CAMELCASE, false);
    String unkept = history == null ? null : keepHistory(history);
    if (history != null && unkept == null) {
      builder.variable(LineReader.HISTORY_FILE, history);
    }
    reader = builder.build();
    if (unkept != null) {
      client.output().notice("client: history not kept (" + history + ": " + unkept + ")");
    }
    // Lines typed while a command runs are not echoed by the terminal (the password of a
    // login typed ahead would show): the line reader shows them, masked, when it reads them.
    Attributes original = terminal.getAttributes();
    Attributes quiet = new Attributes(original);
    quiet.setLocalFlag(Attributes.LocalFlag.ECHO, false);
    terminal.setAttributes(quiet);
    try {
      return client.run(this);
    } finally {
      terminal.setAttributes(original);
      reader.getHistory().save();
    }
  }

  /** The next command to run: {@code help} is answered here, Ctrl-C drops the line, Ctrl-D ends. */
  @Override
  public String next() {
    while (true) {
      String line;
      try {
        line = reader.readLine(prompt(), null, SECRETS, null);
      } catch (UserInterruptException e) {
        continue;
      } catch (EndOfFileException e) {
        return null;
      }
      String word = line.strip();
      if (word.equals(Vocabulary.HELP)) {
        client.output().print(help());
      } else if (word.equals(ClientProtocol.EXIT)) {
        return ClientProtocol.EXIT;
      } else {
        return line;
      }
    }
  }

  @Override
  public void line(Output.Kind kind, String safe) {
    reader.printAbove(new AttributedString(safe, colour ? COLOURS.get(kind) : AttributedStyle.DEFAULT));
  }

  @Override
  public void flush() {
    terminal.flush();
  }

  /** {@code alice,bob> }, or {@code chat> } before anyone has logged in. */
  String prompt() {
    List<String> users = client.loggedIn();
    String who = SafeText.line(users.isEmpty() ? "chat" : String.join(",", users));
    AttributedStringBuilder b = new AttributedStringBuilder();
    b.style(colour ? AttributedStyle.BOLD : AttributedStyle.DEFAULT).append(who).style(AttributedStyle.DEFAULT).append("> ");
    // the line reader reads % as the start of a prompt escape
    return b.toAnsi(terminal).replace("%", "%%");
  }

  private void complete(LineReader reader, ParsedLine line, List<Candidate> candidates) {
    List<String> before = line.words().subList(0, Math.min(line.wordIndex(), line.words().size()));
    for (String word : client.names().candidates(before)) {
      candidates.add(new Candidate(word, word, null, before.isEmpty() ? arguments(word) : null, null, null, true));
    }
  }

  /** What follows a command word, from its usage line ({@code <user> <friend> <message>}). */
  private static String arguments(String word) {
    Command c = Command.byWord(word);
    if (c == null) {
      return word.equals(Vocabulary.HELP) ? "the commands" : "leave";
    }
    int space = c.usage.indexOf(' ', "Usage: ".length());
    return space < 0 ? null : c.usage.substring(space + 1);
  }

  /** Every command with its arguments, then the client's own words and keys. */
  static List<String> help() {
    List<String> lines = new ArrayList<>();
    lines.add("Commands (the word after the command is a user logged in here, except for register and login):");
    for (Command c : Command.values()) {
      lines.add("  " + c.usage.substring("Usage: ".length()));
    }
    lines.add("  help: this list");
    lines.add("  exit: leave (or Ctrl-D)");
    lines.add("Tab completes commands and the names seen so far; Up and Down recall earlier lines; Ctrl-C drops the line.");
    return lines;
  }

  /**
   * Makes {@code file} ready to keep the history: its directory is made (0700) and the file
   * created (0600) when missing, since it holds the messages typed (passwords never reach it).
   * Null when it is ready, else why not.
   */
  private static String keepHistory(Path file) {
    try {
      Path dir = file.toAbsolutePath().getParent();
      if (!Files.isDirectory(dir)) {
        Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
      }
      try {
        Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      } catch (FileAlreadyExistsException kept) {
        // an existing file keeps the permissions its owner gave it
      }
      return null;
    } catch (IOException | UnsupportedOperationException e) {
      return String.valueOf(e.getMessage());
    }
  }

  /** Where history is kept by default: {@code $XDG_STATE_HOME/chat/history}, else {@code ~/.local/state/chat/history}. */
  static Path defaultHistory(Map<String, String> env) {
    String state = env.get("XDG_STATE_HOME");
    Path base = state != null && !state.isEmpty() && Path.of(state).isAbsolute()
        ? Path.of(state)
        : Path.of(System.getProperty("user.home"), ".local", "state");
    return base.resolve("chat").resolve("history");
  }

  /**
   * Whether standard input and standard output are both a terminal. On the JDKs where
   * {@link System#console()} is there even when they are not, {@code Console.isTerminal()} says.
   */
  static boolean inTerminal() {
    Console console = System.console();
    if (console == null) {
      return false;
    }
    try {
      return (Boolean) Console.class.getMethod("isTerminal").invoke(console);
    } catch (ReflectiveOperationException olderJdk) {
      return true;
    }
  }
}
