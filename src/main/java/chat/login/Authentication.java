package chat.login;

/**
 * What the login server proves users with: password hashing and the pool it runs on, the
 * guard against guessing, the token maker, and the shortest password a registration accepts
 * (0: any).
 */
public record Authentication(Passwords passwords, HashPool hashes, LoginGuard guard, Tokens tokens,
                             int minPasswordLength) {
}
