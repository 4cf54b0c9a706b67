package chat.protocol;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Remote text in a log line stays on that line and says what it is. */
class LogTextTest {

  @Test
  void plainNamesAreQuotedAsTheyAre() {
    assertEquals("\"alice\"", LogText.quote("alice"));
    assertEquals("\"Zoë_李\"", LogText.quote("Zoë_李"));
  }

  @Test
  void lineBreaksCannotStartAnotherLine() {
    assertEquals("\"a\\nINFO forged\\r\\u2028\\u2029\\u0085\"", LogText.quote("a\nINFO forged\r\u2028\u2029\u0085"));
  }

  @Test
  void terminalAndDirectionControlsAreEscaped() {
    assertEquals("\"\\u001b[31mred\\u202etxt.exe\\u0000\"", LogText.quote("\u001b[31mred\u202etxt.exe\u0000"));
  }

  @Test
  void quotesAndBackslashesCannotCloseTheQuote() {
    assertEquals("\"a\\\" from 1.2.3.4 \\\\\"", LogText.quote("a\" from 1.2.3.4 \\"));
  }

  @Test
  void longTextIsCutAndSaysSo() {
    String quoted = LogText.quote("x".repeat(5_000));
    assertTrue(quoted.startsWith("\"" + "x".repeat(80) + "\"..."), quoted);
    assertTrue(quoted.endsWith("(5000 chars)"), quoted);
  }

  @Test
  void nullIsWrittenAsNull() {
    assertEquals("null", LogText.quote(null));
  }
}
