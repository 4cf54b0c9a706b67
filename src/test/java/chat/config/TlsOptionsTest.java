package chat.config;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.Key;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** How the tls section resolves to files, and what the pair made for it holds. */
class TlsOptionsTest {
  @TempDir
  Path data;

  @Test
  void offByDefault() throws Exception {
    assertFalse(TlsOptions.resolve(ChatConfig.defaults().getJsonObject("tls"), data, List.of("127.0.0.1")).enabled());
    assertFalse(Files.exists(data.resolve("tls")), "no pair made while TLS is off");
  }

  @Test
  void theMadeCertificateNamesTheBindAddressLoopbackTheHostAndTheAltNames() throws Exception {
    JsonObject tls = new JsonObject().put("enabled", true)
        .put("altNames", new JsonArray().add("chat.example").add("[2001:db8::5]"));
    TlsOptions options = TlsOptions.resolve(tls, data, Certificates.defaultNames("192.0.2.7"));

    assertEquals(data.resolve("tls/server.crt").toAbsolutePath(), options.cert());
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(options.key())));
    X509Certificate cert = Certificates.read(options.cert());
    Set<String> names = new HashSet<>();
    cert.getSubjectAlternativeNames().forEach(n -> names.add(String.valueOf(n.get(1))));
    Set<String> expected = new HashSet<>(List.of("192.0.2.7", "127.0.0.1", "0:0:0:0:0:0:0:1", "localhost",
        "chat.example", "2001:db8:0:0:0:0:0:5", InetAddress.getLocalHost().getHostName()));
    assertEquals(expected, names);
    assertEquals("EC", cert.getPublicKey().getAlgorithm());
    Duration validity = Duration.between(Instant.now(), cert.getNotAfter().toInstant());
    assertTrue(validity.toDays() >= 364 && validity.toDays() <= 365, validity.toString());
    assertTrue(Files.readString(options.key()).startsWith("-----BEGIN PRIVATE KEY-----"));
  }

  @Test
  void thePairCanBeWrittenAsAnOwnerOnlyPkcs12KeyStore() throws Exception {
    TlsOptions options = TlsOptions.resolve(new JsonObject().put("enabled", true), data, List.of("127.0.0.1"));
    char[] password = "changeit-not-real".toCharArray();
    Path file = options.writeKeyStore(data.resolve("tls/server.p12"), password);

    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
    KeyStore store = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(file)) {
      store.load(in, password);
    }
    assertEquals(options.fingerprint(), Certificates.fingerprint(store.getCertificate("chat")));
    Key key = store.getKey("chat", password);
    assertEquals(Certificates.readPrivateKey(options.key()), key);
  }

  @Test
  void altNamesMayBeOneCommaSeparatedText() {
    assertEquals(List.of("a.example", "10.0.0.9"), TlsOptions.altNames(" a.example, ,10.0.0.9"));
  }

  @Test
  void aPairNearItsEndIsReplaced() throws Exception {
    Path dir = Secrets.privateDirectory(data.resolve("tls"));
    Certificates.generate(dir.resolve("server.crt"), dir.resolve("server.key"), List.of("127.0.0.1"), Duration.ofDays(1));
    String old = Certificates.fingerprint(Certificates.read(dir.resolve("server.crt")));
    TlsOptions renewed = TlsOptions.resolve(new JsonObject().put("enabled", true), data, List.of("127.0.0.1"));
    assertNotEquals(old, renewed.fingerprint());
  }

  @Test
  void aCertificateWithoutItsKeyIsRefused() throws Exception {
    Certificates.generate(data.resolve("c.pem"), data.resolve("k.pem"), List.of("localhost"), Duration.ofDays(1));
    JsonObject half = new JsonObject().put("enabled", true).put("cert", data.resolve("c.pem").toString());
    assertThrows(IllegalArgumentException.class, () -> TlsOptions.resolve(half, data, List.of()));
    JsonObject missing = half.copy().put("key", data.resolve("absent.pem").toString());
    assertThrows(java.io.IOException.class, () -> TlsOptions.resolve(missing, data, List.of()));
    JsonObject notACert = half.copy().put("cert", data.resolve("k.pem").toString()).put("key", data.resolve("k.pem").toString());
    assertThrows(java.io.IOException.class, () -> TlsOptions.resolve(notACert, data, List.of()));
  }
}
