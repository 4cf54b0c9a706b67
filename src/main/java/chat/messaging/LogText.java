package chat.messaging;

/** Remote text in a log line: quoted, with every control or separator character escaped, so it cannot forge lines. */
public final class LogText {
  private LogText() { }

  public static String quote(String text) {
    if (text == null) {
      return "null";
    }
    StringBuilder b = new StringBuilder(text.length() + 2).append('"');
    text.codePoints().limit(200).forEach(c -> {
      if (c == '"' || c == '\\') {
        b.append('\\').appendCodePoint(c);
      } else if (c < 0x20 || (c >= 0x7f && c < 0xa0) || Character.getType(c) == Character.FORMAT
          || Character.getType(c) == Character.LINE_SEPARATOR || Character.getType(c) == Character.PARAGRAPH_SEPARATOR) {
        b.append(String.format("\\u%04x", c));
      } else {
        b.appendCodePoint(c);
      }
    });
    if (text.codePointCount(0, text.length()) > 200) {
      b.append("...");
    }
    return b.append('"').toString();
  }
}
