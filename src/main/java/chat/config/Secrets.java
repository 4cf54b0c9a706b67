package chat.config;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * Secrets the service makes for itself on first start (the store's password, the token key,
 * …): 256 random bits each, kept in {@code DATA_DIR/secrets/NAME}, readable by the owner only,
 * in a directory only the owner may enter. The same name gives the same secret on every start.
 */
public final class Secrets {
  private static final SecureRandom RANDOM = new SecureRandom();

  private Secrets() { }

  /** The secret called {@code name}, made now if it does not exist yet. */
  public static String loadOrCreate(Path dataDir, String name) throws IOException {
    Path dir = privateDirectory(dataDir.resolve("secrets"));
    Path file = dir.resolve(name);
    if (!Files.exists(file)) {
      try {
        Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(file, random(32) + "\n", StandardCharsets.UTF_8, StandardOpenOption.TRUNCATE_EXISTING);
      } catch (FileAlreadyExistsException raced) {
        // another process made it first: read theirs
      }
    }
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    String secret = Files.readString(file, StandardCharsets.UTF_8).trim();
    if (secret.isEmpty()) {
      throw new IOException("secret file " + file + " is empty");
    }
    return secret;
  }

  /** Creates {@code dir} (and its parents) if needed and makes it the owner's alone (0700). */
  public static Path privateDirectory(Path dir) throws IOException {
    Files.createDirectories(dir);
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
    return dir;
  }

  /** {@code url} with any password in it ({@code password=…} or {@code //user:password@}) masked, for logs. */
  public static String maskUrl(String url) {
    return url == null ? null : url.replaceAll("(?i)(password=)[^;&]*", "$1****")
        .replaceAll("(//[^:/@]*:)[^@/]*@", "$1****@");
  }

  /**
   * Each thread's SHA-256: every application command hashes its token, and looking the
   * algorithm up among the security providers each time cost more than the hash itself
   * (a tenth of an application server's worker time under load). {@code digest} resets it.
   */
  private static final ThreadLocal<MessageDigest> SHA_256 = ThreadLocal.withInitial(() -> {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  });

  /** The SHA-256 of {@code text} (UTF-8), in hex. */
  public static String sha256Hex(String text) {
    return HexFormat.of().formatHex(SHA_256.get().digest(text.getBytes(StandardCharsets.UTF_8)));
  }

  /** HMAC-SHA256 of {@code text} under {@code key} (both UTF-8), in hex. */
  public static String hmacSha256Hex(String key, String text) {
    return hmacSha256Hex(hmacSha256(key), text);
  }

  /** An HMAC-SHA256 keyed with {@code key} (UTF-8), for {@link #hmacSha256Hex(Mac, String)}; not thread-safe. */
  public static Mac hmacSha256(String key) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      return mac;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** {@code text} (UTF-8) signed with {@code mac}, in hex; the Mac is ready for the next text after. */
  public static String hmacSha256Hex(Mac mac, String text) {
    return HexFormat.of().formatHex(mac.doFinal(text.getBytes(StandardCharsets.UTF_8)));
  }

  /** A random hex string of {@code bytes} bytes of entropy. */
  public static String random(int bytes) {
    byte[] b = new byte[bytes];
    RANDOM.nextBytes(b);
    return HexFormat.of().formatHex(b);
  }
}
