package chat.protocol;

/**
 * Remote text (names, messages, posts, reply text) made safe to print as one terminal line.
 * Characters a terminal acts on instead of showing, or that break or reorder a line, become
 * visible escapes: <code>\xNN</code> below U+0100, <code>&#92;uXXXX</code> above. Everything else, non-ASCII
 * letters included, is kept as it is, so ordinary text prints byte for byte unchanged.
 * A backslash is kept too: an escape can only make text look like an escape, never act.
 */
public final class SafeText {

  /** Inclusive code point ranges that are escaped, each with why. */
  private static final int[][] ESCAPED = {
      {0x0000, 0x001F}, // C0 controls: ESC starts terminal sequences, CR and LF start lines, BEL rings
      {0x007F, 0x009F}, // DEL and the C1 controls (CSI U+009B, NEL U+0085, ...)
      {0x061C, 0x061C}, // Arabic letter mark: bidi
      {0x200E, 0x200F}, // left-to-right and right-to-left marks: bidi
      {0x2028, 0x2029}, // line and paragraph separators: a new line to some terminals and viewers
      {0x202A, 0x202E}, // bidi embeddings and overrides: reorder the rest of the line
      {0x2066, 0x2069}, // bidi isolates
      {0xD800, 0xDFFF}, // a lone surrogate (a pair is one code point beyond U+FFFF and is kept)
  };

  private SafeText() { }

  /** Whether {@code cp} is printed as an escape. */
  public static boolean escaped(int cp) {
    for (int[] range : ESCAPED) {
      if (cp >= range[0] && cp <= range[1]) {
        return true;
      }
    }
    return false;
  }

  /** {@code text} with every escaped character replaced by its visible escape; null stays null. */
  public static String line(String text) {
    if (text == null || isSafe(text)) {
      return text;
    }
    StringBuilder b = new StringBuilder(text.length() + 16);
    text.codePoints().forEach(cp -> {
      if (!escaped(cp)) {
        b.appendCodePoint(cp);
      } else if (cp < 0x100) {
        b.append(String.format("\\x%02x", cp));
      } else {
        b.append(String.format("\\u%04x", cp));
      }
    });
    return b.toString();
  }

  /** Whether {@code text} prints as it is: the common case, checked without copying. */
  public static boolean isSafe(String text) {
    return text.codePoints().noneMatch(SafeText::escaped);
  }
}
