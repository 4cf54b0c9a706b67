package chat.login;

import org.junit.jupiter.api.Test;

import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Argon2id hashes in PHC form, and the PBKDF2 hashes of older releases. */
class PasswordsTest {
  private static final Pattern PHC =
      Pattern.compile("\\$argon2id\\$v=19\\$m=(\\d+),t=(\\d+),p=(\\d+)\\$([A-Za-z0-9+/]{22})\\$([A-Za-z0-9+/]{43})");
  private final Passwords owasp = new Passwords(Passwords.OWASP);
  private final Passwords cheap = new Passwords(new Passwords.Options(64, 1, 1));

  @Test
  void aHashIsArgon2idInPhcFormWithAtLeastOwaspCosts() {
    String h = owasp.hash("secret");
    Matcher m = PHC.matcher(h);
    assertTrue(m.matches(), h);
    assertTrue(Integer.parseInt(m.group(1)) >= 19_456, h);
    assertTrue(Integer.parseInt(m.group(2)) >= 2, h);
    assertEquals("1", m.group(3));
  }

  @Test
  void theRightPasswordMatchesAndOthersDoNot() {
    String h = owasp.hash("secret");
    assertTrue(owasp.verify("secret", h));
    assertFalse(owasp.verify("Secret", h));
    assertFalse(owasp.verify("", h));
  }

  @Test
  void twoHashesOfOnePasswordDiffer() {
    assertNotEquals(cheap.hash("pw"), cheap.hash("pw"));
  }

  @Test
  void aHashIsCheckedWithItsOwnCostsWhateverIsConfigured() {
    String h = cheap.hash("pw");
    assertTrue(owasp.verify("pw", h));
  }

  @Test
  void hashesOfTheReferenceImplementationMatch() {
    // made by the reference argon2 command-line tool
    assertTrue(cheap.verify("password", "$argon2id$v=19$m=64,t=2,p=1$c29tZXNhbHQ$"
        + "FqGkmHNGCd0BRW2kBt6fPZ2pPmyGwwChL8FGUhTOSSI"));
    String owaspHash = "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0MTZi$"
        + "iJRxIIMSnjIFPKn9qwJpHvQSqlnIyTsiouP+oBmulHE";
    assertTrue(owasp.verify("correct horse", owaspHash));
    assertFalse(owasp.verify("correct horse ", owaspHash));
    assertFalse(owasp.needsRehash(owaspHash));
  }

  @Test
  void legacyPbkdf2HashesStillMatchAndAskToBeReplaced() throws Exception {
    String legacy = pbkdf2("old-password", 10_000);
    assertTrue(owasp.verify("old-password", legacy));
    assertFalse(owasp.verify("wrong", legacy));
    assertTrue(owasp.needsRehash(legacy));
  }

  @Test
  void hashesWithOtherCostsAskToBeReplaced() {
    assertTrue(owasp.needsRehash(cheap.hash("pw")));
    assertFalse(cheap.needsRehash(cheap.hash("pw")));
  }

  @Test
  void theDummyHashHasTheConfiguredCostsAndNothingMatchesIt() {
    assertFalse(owasp.needsRehash(owasp.dummy()), "same costs as a real hash, so the same time");
    assertFalse(owasp.verify("", owasp.dummy()));
    assertFalse(owasp.verify("password", owasp.dummy()));
  }

  @Test
  void malformedHashesMatchNothing() {
    for (String bad : new String[] {null, "", "plain", "$argon2id$", "$argon2id$v=19$m=64,t=1,p=1$$",
        "$argon2i$v=19$m=64,t=1,p=1$c29tZXNhbHQ$6qn2Q0aJ2KJ9X8ZTnOAHa6EgRfK5YdfMgy0NFhPrcYU",
        "$argon2id$v=19$m=99999999,t=1,p=1$c29tZXNhbHQ$6qn2Q0aJ2KJ9X8ZTnOAHa6EgRfK5YdfMgy0NFhPrcYU",
        "$argon2id$v=19$m=64,t=1,x=1$c29tZXNhbHQ$6qn2Q0aJ2KJ9X8ZTnOAHa6EgRfK5YdfMgy0NFhPrcYU",
        "pbkdf2-sha256$x$c29tZXNhbHQ$6qn2Q0aJ2KJ9X8ZTnOAHa6EgRfK5YdfMgy0NFhPrcYU", "pbkdf2-sha256$1$!!$!!"}) {
      assertFalse(cheap.verify("password", bad), String.valueOf(bad));
      assertTrue(cheap.needsRehash(bad), String.valueOf(bad));
    }
  }

  @Test
  void costsOutOfRangeAreRefused() {
    assertThrows(IllegalArgumentException.class, () -> new Passwords.Options(4, 1, 1));
    assertThrows(IllegalArgumentException.class, () -> new Passwords.Options(1024, 0, 1));
    assertThrows(IllegalArgumentException.class, () -> new Passwords.Options(1024, 1, 0));
    assertTrue(new Passwords.Options(1024, 1, 1).weakerThanOwasp());
    assertFalse(Passwords.OWASP.weakerThanOwasp());
  }

  /** A hash as older releases stored it. */
  static String pbkdf2(String password, int iterations) throws Exception {
    byte[] salt = "0123456789abcdef".getBytes();
    byte[] hash = SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256")
        .generateSecret(new PBEKeySpec(password.toCharArray(), salt, iterations, 256)).getEncoded();
    Base64.Encoder b64 = Base64.getEncoder().withoutPadding();
    return "pbkdf2-sha256$" + iterations + "$" + b64.encodeToString(salt) + "$" + b64.encodeToString(hash);
  }
}
