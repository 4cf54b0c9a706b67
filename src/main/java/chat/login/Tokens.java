package chat.login;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * Login tokens: 128 bits, derived from a server secret and a session's random nonce
 * (HMAC-SHA256 of {@code userId:nonce}). The store keeps the nonce and the token's hash, never
 * the token: the login server can give an online user its token again, a copy of the store
 * cannot.
 */
public final class Tokens {
  private final SecretKeySpec key;
  private final long idleMillis;
  private final long lifetimeMillis;

  public Tokens(String secret, long idleMillis, long lifetimeMillis) {
    if (secret == null || secret.length() < 16) {
      throw new IllegalArgumentException("the token secret must have at least 16 characters");
    }
    if (idleMillis <= 0 || lifetimeMillis <= 0) {
      throw new IllegalArgumentException("token lifetimes must be positive");
    }
    this.key = new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256");
    this.idleMillis = idleMillis;
    this.lifetimeMillis = lifetimeMillis;
  }

  /** The token of user {@code userId}'s session with {@code nonce}: 32 hex digits. */
  public String derive(long userId, String nonce) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(key);
      byte[] full = mac.doFinal((userId + ":" + nonce).getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(Arrays.copyOf(full, 16));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** How long a token lives without use. */
  public long idleMillis() {
    return idleMillis;
  }

  /** How long a token lives at most, used or not. */
  public long lifetimeMillis() {
    return lifetimeMillis;
  }
}
