package chat.protocol;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/** Remote text in a log line stays on that line and says what it is. */
class LogTextTest {

  /** The case, remote text, and how a log line quotes it. */
  static Stream<Arguments> quoted() {
    return Stream.of(
        arguments("plainNamesAreQuotedAsTheyAre", "alice", "\"alice\""),
        arguments("plainNamesAreQuotedAsTheyAre", "Zoë_李", "\"Zoë_李\""),
        arguments("lineBreaksCannotStartAnotherLine", "a\nINFO forged\r\u2028\u2029\u0085",
            "\"a\\nINFO forged\\r\\u2028\\u2029\\u0085\""),
        arguments("terminalAndDirectionControlsAreEscaped", "\u001b[31mred\u202etxt.exe\u0000",
            "\"\\u001b[31mred\\u202etxt.exe\\u0000\""),
        arguments("quotesAndBackslashesCannotCloseTheQuote", "a\" from 1.2.3.4 \\", "\"a\\\" from 1.2.3.4 \\\\\""),
        arguments("nullIsWrittenAsNull", null, "null"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource
  void quoted(String name, String text, String logged) {
    assertEquals(logged, LogText.quote(text));
  }

  @Test
  void longTextIsCutAndSaysSo() {
    String quoted = LogText.quote("x".repeat(5_000));
    assertTrue(quoted.startsWith("\"" + "x".repeat(80) + "\"..."), quoted);
    assertTrue(quoted.endsWith("(5000 chars)"), quoted);
  }
}
