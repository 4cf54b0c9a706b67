package chat.protocol;

import java.util.List;
import java.util.regex.Pattern;

/**
 * One request as the server reads it: the text split on whitespace. For token commands
 * {@link #token()} is the second word and {@link #args()} the words after it.
 */
public record Request(String text, List<String> words) {

  private static final String[] NONE = new String[0];
  /** Compiled once: {@code String.split} with this expression would compile it at every request. */
  private static final Pattern WHITESPACE = Pattern.compile("\\s+");

  public static Request parse(String text) {
    String trimmed = text.strip();
    String[] split = trimmed.isEmpty() ? NONE : WHITESPACE.split(trimmed);
    return new Request(text, List.of(split));
  }

  public boolean isEmpty() {
    return words.isEmpty();
  }

  public String word() {
    return words.isEmpty() ? "" : words.get(0);
  }

  public Command command() {
    return Command.byWord(word());
  }

  /** The token, for commands that carry one; null when the request has no second word. */
  public String token() {
    return words.size() > 1 ? words.get(1) : null;
  }

  /** Arguments of a command: after the command word for register/login, after the token otherwise. */
  public List<String> args() {
    Command c = command();
    int from = c != null && !c.takesToken() ? 1 : 2;
    return words.size() > from ? words.subList(from, words.size()) : List.of();
  }

  public String arg(int i) {
    return args().get(i);
  }

  /** Words from argument {@code i} on, joined by single spaces: the message of post, send, send-group. */
  public String rest(int i) {
    return String.join(" ", args().subList(i, args().size()));
  }

  /** The same request with the token replaced, as the login server forwards it. */
  public String text(String token) {
    StringBuilder b = new StringBuilder(word()).append(' ').append(token);
    for (String a : args()) {
      b.append(' ').append(a);
    }
    return b.toString();
  }
}
