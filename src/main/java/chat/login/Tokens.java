package chat.login;

import chat.config.Secrets;

/**
 * Login tokens: 128 bits, derived from a server secret and a session's random nonce
 * (HMAC-SHA256 of {@code userId:nonce}). The store keeps the nonce and the token's hash, never
 * the token: the login server can give an online user its token again, a copy of the store
 * cannot.
 */
public final class Tokens {
  private final String secret;
  private final long idleMillis;
  private final long lifetimeMillis;

  public Tokens(String secret, long idleMillis, long lifetimeMillis) {
    if (secret == null || secret.length() < 16) {
      throw new IllegalArgumentException("the token secret must have at least 16 characters");
    }
    if (idleMillis <= 0 || lifetimeMillis <= 0) {
      throw new IllegalArgumentException("token lifetimes must be positive");
    }
    this.secret = secret;
    this.idleMillis = idleMillis;
    this.lifetimeMillis = lifetimeMillis;
  }

  /** The token of user {@code userId}'s session with {@code nonce}: 32 hex digits. */
  public String derive(long userId, String nonce) {
    // the first 16 bytes of the MAC
    return Secrets.hmacSha256Hex(secret, userId + ":" + nonce).substring(0, 32);
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
