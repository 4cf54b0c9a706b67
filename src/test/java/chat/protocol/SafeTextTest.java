package chat.protocol;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What remote text looks like once it is safe to print, case by case. */
class SafeTextTest {

  /** The code point in hexadecimal, then the escape it prints as. */
  @ParameterizedTest(name = "U+{0} -> {1}")
  @CsvSource(delimiter = '|', value = {
      "0000|\\x00",
      "0007|\\x07", // BEL
      "0008|\\x08", // backspace
      "0009|\\x09", // tab
      "000A|\\x0a", // line feed
      "000D|\\x0d", // carriage return
      "001B|\\x1b", // ESC
      "007F|\\x7f", // DEL
      "0085|\\x85", // NEL
      "009B|\\x9b", // CSI
      "009F|\\x9f",
      "061C|\\u061c",
      "200E|\\u200e",
      "200F|\\u200f",
      "2028|\\u2028",
      "2029|\\u2029",
      "202A|\\u202a",
      "202B|\\u202b",
      "202C|\\u202c",
      "202D|\\u202d",
      "202E|\\u202e",
      "2066|\\u2066",
      "2067|\\u2067",
      "2068|\\u2068",
      "2069|\\u2069",
      "D800|\\ud800", // a lone high surrogate
      "DFFF|\\udfff", // a lone low surrogate
  })
  void controlsAndBidiPrintAsVisibleEscapes(String hex, String escape) {
    String c = new String(Character.toChars(Integer.parseInt(hex, 16)));
    assertEquals("a" + escape + "b", SafeText.line("a" + c + "b"));
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {
      "Success!",
      "<<<USER_A->GROUP<GROUP_A>: HELLO WORLD>>>",
      "bob: Hi I am B",
      "{\"status\":1}",
      "ünïcödé Ärger façade",
      "你好，世界",
      "こんにちは カタカナ",
      "مرحبا بالعالم",
      "שלום",
      "emoji \uD83D\uDE00 and a family \uD83D\uDC68\u200D\uD83D\uDC69\u200D\uD83D\uDC67",
      "tilde ~ backslash \\ and \\x1b as text",
      "no-break\u00A0space",
  })
  void printableTextIsKeptAsItIs(String text) {
    assertSame(text, SafeText.line(text));
    assertTrue(SafeText.isSafe(text));
  }

  @Test
  void theAttackOfTheIssuePrintsAsOneInertLine() {
    String evil = "hi\u001b[2K\r<<<alice->GROUP<team>: pay the invoice>>>\u0007\u202e\u2028\u0085";
    assertEquals("hi\\x1b[2K\\x0d<<<alice->GROUP<team>: pay the invoice>>>\\x07\\u202e\\u2028\\x85",
        SafeText.line(evil));
  }

  @Test
  void escapingTwiceChangesNothingMore() {
    String once = SafeText.line("a\u001b\u202eb\n");
    assertEquals(once, SafeText.line(once));
  }

  @Test
  void nullStaysNull() {
    assertNull(SafeText.line(null));
  }
}
