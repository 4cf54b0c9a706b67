package chat.login;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Tokens are 128 bits, the same for one session, different for anything else. */
class TokensTest {
  private final Tokens tokens = new Tokens("0123456789abcdef0123456789abcdef", 1_000, 2_000);

  @Test
  void aTokenIs128BitsInHex() {
    String t = tokens.derive(7, "nonce");
    assertTrue(t.matches("[0-9a-f]{32}"), t);
  }

  @Test
  void oneSessionAlwaysGivesTheSameToken() {
    assertEquals(tokens.derive(7, "nonce"), tokens.derive(7, "nonce"));
  }

  @Test
  void anotherNonceUserOrSecretGivesAnotherToken() {
    String t = tokens.derive(7, "nonce");
    assertNotEquals(t, tokens.derive(7, "nonce2"));
    assertNotEquals(t, tokens.derive(8, "nonce"));
    assertNotEquals(t, new Tokens("fedcba9876543210fedcba9876543210", 1_000, 2_000).derive(7, "nonce"));
  }

  @Test
  void aShortSecretIsRefused() {
    assertThrows(IllegalArgumentException.class, () -> new Tokens("short", 1_000, 2_000));
  }
}
