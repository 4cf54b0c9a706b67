package chat.login;

import org.bouncycastle.crypto.generators.Argon2BytesGenerator;
import org.bouncycastle.crypto.params.Argon2Parameters;

import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * Password hashes: Argon2id in the PHC string form
 * {@code $argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>}. Hashes of older releases,
 * {@code pbkdf2-sha256$iterations$salt$hash}, are still verified so that they can be replaced
 * at the next login ({@link #needsRehash}). Slow and memory-hungry on purpose: callers run it
 * on the bounded {@link HashPool}.
 */
public final class Passwords {
  /** OWASP's minimum for Argon2id: 19 MiB, two passes, one lane. */
  public static final Options OWASP = new Options(19_456, 2, 1);

  private static final SecureRandom RANDOM = new SecureRandom();
  private static final Base64.Encoder B64 = Base64.getEncoder().withoutPadding();
  private static final Base64.Decoder B64D = Base64.getDecoder();
  private static final int SALT_BYTES = 16;
  private static final int HASH_BYTES = 32;
  // hashes with larger costs are not from this service: refusing them keeps a bad row from exhausting memory
  private static final int MAX_MEMORY_KIB = 4 * 1024 * 1024;
  private static final int MAX_ITERATIONS = 1_000;
  private static final int MAX_PARALLELISM = 64;
  private static final int MAX_PBKDF2_ITERATIONS = 10_000_000;

  /** Argon2id costs: memory in KiB, passes, lanes. */
  public record Options(int memoryKiB, int iterations, int parallelism) {
    public Options {
      if (parallelism < 1 || parallelism > MAX_PARALLELISM || iterations < 1 || iterations > MAX_ITERATIONS
          || memoryKiB < 8 * parallelism || memoryKiB > MAX_MEMORY_KIB) {
        throw new IllegalArgumentException("Argon2id costs out of range: m=" + memoryKiB + " KiB, t=" + iterations
            + ", p=" + parallelism);
      }
    }

    /** Whether these costs are below {@link #OWASP} in any dimension. */
    public boolean weakerThanOwasp() {
      return memoryKiB < OWASP.memoryKiB || iterations < OWASP.iterations;
    }
  }

  private final Options options;
  private final String dummy;

  public Passwords(Options options) {
    this.options = options;
    // the same costs as a real hash, so that checking a password of an unknown user takes as long
    this.dummy = format(options, random(SALT_BYTES), random(HASH_BYTES));
  }

  public Options options() {
    return options;
  }

  public String hash(String password) {
    byte[] salt = random(SALT_BYTES);
    return format(options, salt, argon2(password, salt, options, HASH_BYTES));
  }

  /** Whether {@code password} matches {@code stored}; false for a malformed stored hash. */
  public boolean verify(String password, String stored) {
    if (stored == null) {
      return false;
    }
    if (stored.startsWith("$argon2id$")) {
      return verifyArgon2(password, stored);
    }
    if (stored.startsWith("pbkdf2-sha256$")) {
      return verifyPbkdf2(password, stored);
    }
    return false;
  }

  /** Whether {@code stored} should be replaced by a hash with the configured costs. */
  public boolean needsRehash(String stored) {
    Phc phc = Phc.parse(stored);
    return phc == null || !phc.options.equals(options);
  }

  /**
   * A hash no password matches, with the configured costs: verified in place of the stored
   * hash when there is no such user, so an unknown name answers as slowly as a wrong password.
   */
  public String dummy() {
    return dummy;
  }

  private static boolean verifyArgon2(String password, String stored) {
    Phc phc = Phc.parse(stored);
    if (phc == null) {
      return false;
    }
    return MessageDigest.isEqual(phc.hash, argon2(password, phc.salt, phc.options, phc.hash.length));
  }

  private static boolean verifyPbkdf2(String password, String stored) {
    String[] parts = stored.split("\\$");
    if (parts.length != 4) {
      return false;
    }
    try {
      int iterations = Integer.parseInt(parts[1]);
      if (iterations < 1 || iterations > MAX_PBKDF2_ITERATIONS) {
        return false;
      }
      byte[] expected = B64D.decode(parts[3]);
      PBEKeySpec spec = new PBEKeySpec(password.toCharArray(), B64D.decode(parts[2]), iterations, 256);
      byte[] actual = SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256").generateSecret(spec).getEncoded();
      return MessageDigest.isEqual(expected, actual);
    } catch (IllegalArgumentException e) {
      return false;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static byte[] argon2(String password, byte[] salt, Options o, int length) {
    Argon2Parameters parameters = new Argon2Parameters.Builder(Argon2Parameters.ARGON2_id)
        .withVersion(Argon2Parameters.ARGON2_VERSION_13)
        .withMemoryAsKB(o.memoryKiB())
        .withIterations(o.iterations())
        .withParallelism(o.parallelism())
        .withSalt(salt)
        .build();
    Argon2BytesGenerator generator = new Argon2BytesGenerator();
    generator.init(parameters);
    byte[] out = new byte[length];
    generator.generateBytes(password.getBytes(StandardCharsets.UTF_8), out);
    return out;
  }

  private static String format(Options o, byte[] salt, byte[] hash) {
    return "$argon2id$v=19$m=" + o.memoryKiB() + ",t=" + o.iterations() + ",p=" + o.parallelism()
        + "$" + B64.encodeToString(salt) + "$" + B64.encodeToString(hash);
  }

  private static byte[] random(int bytes) {
    byte[] b = new byte[bytes];
    RANDOM.nextBytes(b);
    return b;
  }

  /** A parsed Argon2id PHC string; null from {@link #parse} when it is not one this class can check. */
  private record Phc(Options options, byte[] salt, byte[] hash) {
    static Phc parse(String s) {
      if (s == null) {
        return null;
      }
      // "", "argon2id", "v=19", "m=..,t=..,p=..", salt, hash
      String[] parts = s.split("\\$", -1);
      if (parts.length != 6 || !parts[0].isEmpty() || !parts[1].equals("argon2id") || !parts[2].equals("v=19")) {
        return null;
      }
      try {
        int m = -1;
        int t = -1;
        int p = -1;
        for (String kv : parts[3].split(",", -1)) {
          String[] pair = kv.split("=", 2);
          if (pair.length != 2) {
            return null;
          }
          int value = Integer.parseInt(pair[1]);
          switch (pair[0]) {
            case "m" -> m = value;
            case "t" -> t = value;
            case "p" -> p = value;
            default -> {
              return null;
            }
          }
        }
        byte[] salt = B64D.decode(parts[4]);
        byte[] hash = B64D.decode(parts[5]);
        if (salt.length < 8 || hash.length < 16) {
          return null;
        }
        return new Phc(new Options(m, t, p), salt, hash);
      } catch (IllegalArgumentException e) {
        return null;
      }
    }
  }
}
