package chat.config;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * TLS of the service's own ports, resolved to files: a PEM certificate (the server's first,
 * then any chain) and its PEM private key, or off. Every TLS link of the service takes its
 * Vert.x options from here: the request servers, the login server's links to application
 * servers, and any other link between the service's own parts (an AMQP client's options are
 * {@link NetClientOptions} too).
 *
 * @param enabled whether the service's ports speak TLS
 * @param cert    PEM certificate file, absolute
 * @param key     PEM private key file (PKCS#8 or PKCS#1), absolute
 */
public record TlsOptions(boolean enabled, Path cert, Path key) {
  /** TLS 1.3, and 1.2 for peers that have nothing newer; nothing older. The newest both sides speak wins. */
  public static final Set<String> PROTOCOLS = Collections.unmodifiableSet(new LinkedHashSet<>(List.of("TLSv1.3", "TLSv1.2")));

  private static final String BEGIN = "-----BEGIN CERTIFICATE-----";
  private static final String END = "-----END CERTIFICATE-----";

  public TlsOptions {
    if (enabled && (cert == null || key == null)) {
      throw new IllegalArgumentException("TLS needs both a certificate and a key file");
    }
    cert = cert == null ? null : cert.toAbsolutePath().normalize();
    key = key == null ? null : key.toAbsolutePath().normalize();
  }

  public static TlsOptions disabled() {
    return new TlsOptions(false, null, null);
  }

  /**
   * The {@code tls} section of the configuration, resolved: the configured pair when one is
   * given, else the pair kept in {@code DATA_DIR/tls}, made on first use for {@code names}
   * and the section's {@code altNames}. Blocks: reads and may write files.
   */
  public static TlsOptions resolve(JsonObject tls, Path dataDir, List<String> names) throws IOException {
    if (tls == null || !tls.getBoolean("enabled", false)) {
      return disabled();
    }
    String cert = tls.getString("cert", "");
    String key = tls.getString("key", "");
    if (cert.isEmpty() != key.isEmpty()) {
      throw new IllegalArgumentException("tls.cert and tls.key go together: give both or neither");
    }
    if (!cert.isEmpty()) {
      TlsOptions given = new TlsOptions(true, Path.of(cert), Path.of(key));
      for (Path file : List.of(given.cert, given.key)) {
        if (!Files.isReadable(file)) {
          throw new IOException("TLS file " + file + " is not readable");
        }
      }
      Certificates.read(given.cert); // fails early on a file that holds no certificate
      return given;
    }
    List<String> all = new ArrayList<>(names);
    all.addAll(altNames(tls.getValue("altNames")));
    return Certificates.loadOrCreate(dataDir.resolve("tls"), all);
  }

  /** {@code altNames} as a JSON array, or as one comma-separated text (from {@code --set}). */
  static List<String> altNames(Object value) {
    List<String> names = new ArrayList<>();
    if (value instanceof JsonArray array) {
      array.forEach(n -> names.add(String.valueOf(n).trim()));
    } else if (value instanceof String text) {
      for (String n : text.split(",")) {
        names.add(n.trim());
      }
    }
    names.removeIf(String::isEmpty);
    return names;
  }

  /** The certificate and key the service presents. */
  public PemKeyCertOptions keyCert() {
    return new PemKeyCertOptions().setCertPath(cert.toString()).setKeyPath(key.toString());
  }

  /**
   * Trusts the service's own certificate and nothing else: the first certificate of the file,
   * not a CA that may sign others. Reads the file.
   */
  public PemTrustOptions trustOwn() {
    return new PemTrustOptions().addCertValue(Buffer.buffer(firstPem()));
  }

  /** Serves TLS with the service's pair, when enabled; {@code options} unchanged otherwise. */
  public <T extends NetServerOptions> T server(T options) {
    if (enabled) {
      options.setSsl(true)
          .setKeyCertOptions(keyCert())
          .setEnabledSecureTransportProtocols(new LinkedHashSet<>(PROTOCOLS));
    }
    return options;
  }

  /**
   * Speaks TLS to another part of the service, when enabled: the peer must present exactly the
   * service's own certificate. That pin is the identity check, so the host name is not checked
   * as well: parts reach each other by loopback or private addresses that a certificate made for
   * the public name does not carry.
   */
  public <T extends NetClientOptions> T client(T options) {
    if (enabled) {
      options.setSsl(true)
          .setTrustOptions(trustOwn())
          .setHostnameVerificationAlgorithm("")
          .setEnabledSecureTransportProtocols(new LinkedHashSet<>(PROTOCOLS));
    }
    return options;
  }

  /**
   * The pair as a PKCS#12 key store, for a server that takes no PEM (an Artemis acceptor's
   * {@code keyStorePath}, say): written owner-only, under {@code password}. Reads the files.
   */
  public Path writeKeyStore(Path file, char[] password) throws IOException {
    try {
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(null, null);
      store.setKeyEntry("chat", Certificates.readPrivateKey(key), password,
          Certificates.readChain(cert).toArray(new X509Certificate[0]));
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      store.store(out, password);
      Certificates.writeAtomically(file, out.toByteArray());
      return file;
    } catch (GeneralSecurityException e) {
      throw new IOException("cannot write key store " + file + ": " + e.getMessage(), e);
    }
  }

  /** The flags that give an application instance in another process this same pair. */
  public List<String> flags() {
    return enabled ? List.of("--tls", "--tls-cert=" + cert, "--tls-key=" + key) : List.of();
  }

  /** SHA-256 of the served certificate, as colon-separated hex. Reads the file. */
  public String fingerprint() throws IOException {
    return Certificates.fingerprint(Certificates.read(cert));
  }

  private String firstPem() {
    String text;
    try {
      text = Files.readString(cert, StandardCharsets.ISO_8859_1);
    } catch (IOException e) {
      throw new IllegalStateException("cannot read TLS certificate " + cert + ": " + e.getMessage(), e);
    }
    int begin = text.indexOf(BEGIN);
    int end = text.indexOf(END, Math.max(begin, 0));
    if (begin < 0 || end < 0) {
      throw new IllegalStateException("no PEM certificate in " + cert);
    }
    return text.substring(begin, end + END.length()) + "\n";
  }
}
