package chat.login;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Accounts and sources back off apart; a source is keyed by its address, or its /64 for IPv6. */
class LoginGuardTest {
  private long now = 0;

  private LoginGuard guard() {
    return new LoginGuard(new LoginGuard.Options(
        new Backoff.Options(2, 1_000, 4_000, 60_000, 100),
        new Backoff.Options(5, 1_000, 4_000, 60_000, 100),
        new RateLimit.Options(2, 60, 100)), () -> now);
  }

  @Test
  void anAccountBacksOffWhateverTheSource() {
    LoginGuard g = guard();
    g.loginFailed("alice", "10.0.0.1");
    g.loginFailed("alice", "10.0.0.2");
    assertFalse(g.loginAllowed("alice", "10.0.0.3"));
    assertTrue(g.loginAllowed("bob", "10.0.0.3"));
  }

  @Test
  void aSourceBacksOffWhateverTheAccount() {
    LoginGuard g = guard();
    for (int i = 0; i < 5; i++) {
      g.loginFailed("user" + i, "10.0.0.1");
    }
    assertFalse(g.loginAllowed("someone-else", "10.0.0.1"));
    assertTrue(g.loginAllowed("someone-else", "10.0.0.2"));
  }

  @Test
  void theOwnerGetsInOnceTheWindowHasPassedAndThatResetsTheAccount() {
    LoginGuard g = guard();
    g.loginFailed("alice", "10.0.0.9");
    assertEquals(1_000, g.loginFailed("alice", "10.0.0.9"));
    assertFalse(g.loginAllowed("alice", "10.0.0.1"));
    now += 1_000;
    assertTrue(g.loginAllowed("alice", "10.0.0.1"));
    g.loginSucceeded("alice");
    assertEquals(0, g.loginFailed("alice", "10.0.0.9"), "a fresh count after the success");
  }

  @Test
  void theFailureReportsTheLongerWait() {
    LoginGuard g = guard();
    for (int i = 0; i < 4; i++) {
      g.loginFailed("user" + i, "10.0.0.1");
    }
    g.loginFailed("alice", "10.0.0.2");
    assertEquals(1_000, g.loginFailed("alice", "10.0.0.1"), "the source's window: its fifth failure");
  }

  @Test
  void registrationsAreLimitedPerSource() {
    LoginGuard g = guard();
    assertTrue(g.registerAllowed("10.0.0.1"));
    assertTrue(g.registerAllowed("10.0.0.1"));
    assertFalse(g.registerAllowed("10.0.0.1"));
    assertTrue(g.registerAllowed("10.0.0.2"));
    now += 1_000;
    assertTrue(g.registerAllowed("10.0.0.1"));
  }

  @Test
  void aNameTooLongToExistIsRememberedByItsDigest() {
    String huge = "x".repeat(60_000);
    assertEquals("alice", LoginGuard.accountKey("alice"));
    assertEquals("x".repeat(256), LoginGuard.accountKey("x".repeat(256)));
    assertTrue(LoginGuard.accountKey(huge).matches("sha256:[0-9a-f]{64}"));
    LoginGuard g = guard();
    g.loginFailed(huge, "10.0.0.1");
    g.loginFailed(huge, "10.0.0.2");
    assertFalse(g.loginAllowed(huge, "10.0.0.3"), "still counted");
    assertTrue(g.loginAllowed(huge.substring(1), "10.0.0.3"));
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(delimiter = '|', value = {
      "127.0.0.1|127.0.0.1",
      "203.0.113.7|203.0.113.7",
      "2001:db8:1:2:3:4:5:6|20010db800010002::/64",
      "2001:db8:1:2:ffff::1|20010db800010002::/64",
      "2001:0db8:0001:0002:0000:0000:0000:0009|20010db800010002::/64",
      "0:0:0:0:0:0:0:1|0000000000000000::/64",
      "fe80:0:0:0:0:0:0:1%eth0|fe80000000000000::/64",
      "::ffff:192.0.2.1|192.0.2.1",
      "not-an-address|not-an-address",
      "''|?"})
  void sourceKeys(String host, String key) {
    assertEquals(key, LoginGuard.sourceKey(host));
  }
}
