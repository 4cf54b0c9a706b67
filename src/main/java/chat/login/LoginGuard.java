package chat.login;

import chat.config.Secrets;
import chat.protocol.Rules;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.function.LongSupplier;

/**
 * The login server's defence against online guessing: back-off per account and per source
 * address for failed logins, and a rate limit per source for registrations. Pure policy with
 * an injected clock; the login service asks before spending a hash and reports the outcome.
 * Thread-safe (one lock; every call is a few map operations).
 */
public final class LoginGuard {
  public record Options(Backoff.Options accounts, Backoff.Options sources, RateLimit.Options registers) {
  }

  private final Backoff accounts;
  private final Backoff sources;
  private final RateLimit registers;

  public LoginGuard(Options options, LongSupplier clock) {
    this.accounts = new Backoff(options.accounts(), clock);
    this.sources = new Backoff(options.sources(), clock);
    this.registers = new RateLimit(options.registers(), clock);
  }

  /** Whether a login of {@code account} from {@code source} may be checked now. */
  public synchronized boolean loginAllowed(String account, String source) {
    return accounts.waitMillis(accountKey(account)) == 0 && sources.waitMillis(source) == 0;
  }

  /** A wrong password (or unknown name); returns the longer of the two waits it earned. */
  public synchronized long loginFailed(String account, String source) {
    return Math.max(accounts.failed(accountKey(account)), sources.failed(source));
  }

  /**
   * The owner got in: the account's failures are forgotten. The source's are not, or one
   * known password would clear the way for guessing every other account from there.
   */
  public synchronized void loginSucceeded(String account) {
    accounts.succeeded(accountKey(account));
  }

  /** Takes one registration from {@code source}'s allowance; false when it is used up. */
  public synchronized boolean registerAllowed(String source) {
    return registers.tryAcquire(source);
  }

  /**
   * The key of an account name: the name, or the SHA-256 of one too long to be registered, so
   * that names of any length cost the same small memory to remember.
   */
  static String accountKey(String name) {
    if (name.length() <= Rules.MAX_NAME) {
      return name;
    }
    return "sha256:" + Secrets.sha256Hex(name);
  }

  /**
   * The key of a client address: the address itself for IPv4, the /64 network for IPv6 (one
   * host commonly holds a whole /64, so single addresses would be free for it to change).
   */
  public static String sourceKey(String host) {
    if (host == null || host.isEmpty()) {
      return "?";
    }
    String literal = host.replaceFirst("%.*$", "");
    // only IPv6 literals are parsed, so this never asks a name server
    if (literal.indexOf(':') < 0 || !literal.matches("[0-9A-Fa-f:.]+")) {
      return host;
    }
    try {
      byte[] a = InetAddress.getByName(literal).getAddress();
      if (a.length != 16) {
        return InetAddress.getByAddress(a).getHostAddress();
      }
      return HexFormat.of().formatHex(Arrays.copyOf(a, 8)) + "::/64";
    } catch (UnknownHostException e) {
      return host;
    }
  }
}
