package chat.protocol;

/** Remote text made safe for one log line: it can neither end the line nor fake another. */
public final class LogText {
  private static final int MAX = 80;

  private LogText() { }

  /**
   * {@code text} quoted, with quotes, backslashes, control characters, line and paragraph
   * separators and format characters (bidirectional overrides) written as escapes, cut to
   * {@value #MAX} characters.
   */
  public static String quote(String text) {
    if (text == null) {
      return "null";
    }
    StringBuilder b = new StringBuilder(Math.min(text.length(), MAX) + 8).append('"');
    int end = Math.min(text.length(), MAX);
    for (int i = 0; i < end; i++) {
      char c = text.charAt(i);
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        case '\n' -> b.append("\\n");
        case '\r' -> b.append("\\r");
        case '\t' -> b.append("\\t");
        default -> {
          if (unsafe(c)) {
            b.append(String.format("\\u%04x", (int) c));
          } else {
            b.append(c);
          }
        }
      }
    }
    b.append('"');
    if (text.length() > MAX) {
      b.append("...(").append(text.length()).append(" chars)");
    }
    return b.toString();
  }

  /** Controls, line and paragraph separators, and format characters (bidirectional overrides among them). */
  private static boolean unsafe(char c) {
    int type = Character.getType(c);
    return type == Character.CONTROL || type == Character.LINE_SEPARATOR || type == Character.PARAGRAPH_SEPARATOR
        || type == Character.FORMAT;
  }
}
