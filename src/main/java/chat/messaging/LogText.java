package chat.messaging;

import chat.protocol.SafeText;

/**
 * Remote text in a log line: quoted, shortened, and made safe as the client makes what it
 * prints ({@link SafeText}), so a name or an address cannot forge or break log lines.
 */
public final class LogText {
  private static final int MAX = 200;

  private LogText() { }

  public static String quote(String text) {
    if (text == null) {
      return "null";
    }
    String shown = text.length() > MAX ? text.substring(0, MAX) + "..." : text;
    return '"' + SafeText.line(shown.replace("\"", "\\\"")) + '"';
  }
}
