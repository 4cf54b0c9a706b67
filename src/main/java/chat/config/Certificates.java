package chat.config;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.util.IPAddress;
import org.bouncycastle.util.io.pem.PemObjectGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.StringWriter;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The TLS pair the service makes for itself when none is given: a self-signed EC P-256
 * certificate for the names the service is reached by, valid for a year, kept in
 * {@code DATA_DIR/tls} as {@code server.crt} and {@code server.key} (the key readable by the
 * owner only, in a directory only the owner may enter) and reused on every later start until
 * it nears its end. Clients verify it by trusting {@code server.crt} itself.
 */
public final class Certificates {
  private static final Logger LOG = LoggerFactory.getLogger(Certificates.class);

  public static final String CERT_FILE = "server.crt";
  public static final String KEY_FILE = "server.key";
  static final Duration VALIDITY = Duration.ofDays(365);
  /** A pair this close to its end is replaced at start rather than left to expire while serving. */
  static final Duration RENEW_BEFORE = Duration.ofDays(7);
  /** Tolerates clocks of other machines a little behind this one's. */
  private static final Duration BACKDATE = Duration.ofHours(1);
  private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");
  private static final SecureRandom RANDOM = new SecureRandom();

  private Certificates() { }

  /** The pair in {@code dir}, made now for {@code names} if there is none or it nears its end. */
  public static TlsOptions loadOrCreate(Path dir, List<String> names) throws IOException {
    Secrets.privateDirectory(dir);
    Path cert = dir.resolve(CERT_FILE);
    Path key = dir.resolve(KEY_FILE);
    if (Files.isRegularFile(cert) && Files.isRegularFile(key)) {
      X509Certificate existing = read(cert);
      if (existing.getNotAfter().toInstant().isAfter(Instant.now().plus(RENEW_BEFORE))) {
        Files.setPosixFilePermissions(key, OWNER_ONLY);
        warnIfMissing(existing, names, cert);
        return new TlsOptions(true, cert, key);
      }
      LOG.warn("TLS certificate {} ends {}: making a new pair", cert, existing.getNotAfter().toInstant());
    }
    generate(cert, key, names, VALIDITY);
    LOG.info("made a self-signed TLS certificate {} for {}", cert, String.join(", ", distinct(names)));
    return new TlsOptions(true, cert, key);
  }

  /**
   * Writes a new self-signed pair: the certificate valid for {@code names} (IP addresses and
   * DNS names alike) for {@code validity}, the key as PKCS#8 PEM readable by the owner only.
   * Each file is written beside its place and moved there, so a reader never sees half a file.
   */
  public static void generate(Path cert, Path key, List<String> names, Duration validity) throws IOException {
    List<String> all = distinct(names);
    if (all.isEmpty()) {
      throw new IllegalArgumentException("a certificate needs at least one name");
    }
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
      generator.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
      KeyPair pair = generator.generateKeyPair();
      X509Certificate certificate = selfSigned(pair, all, validity);
      writeAtomically(key, pem(new JcaPKCS8Generator(pair.getPrivate(), null)).getBytes(StandardCharsets.US_ASCII));
      writeAtomically(cert, pem(certificate).getBytes(StandardCharsets.US_ASCII));
      Files.setPosixFilePermissions(cert, PosixFilePermissions.fromString("rw-r--r--"));
    } catch (GeneralSecurityException | org.bouncycastle.operator.OperatorCreationException e) {
      throw new IOException("cannot make a TLS certificate: " + e.getMessage(), e);
    }
  }

  private static X509Certificate selfSigned(KeyPair pair, List<String> names, Duration validity)
      throws GeneralSecurityException, org.bouncycastle.operator.OperatorCreationException, IOException {
    X500Name subject = new X500NameBuilder(BCStyle.INSTANCE)
        .addRDN(BCStyle.CN, names.stream().filter(n -> !IPAddress.isValid(n)).findFirst().orElse(names.get(0)))
        .addRDN(BCStyle.O, "chat")
        .build();
    byte[] serial = new byte[16];
    RANDOM.nextBytes(serial);
    Instant now = Instant.now();
    X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(subject, new BigInteger(1, serial),
        Date.from(now.minus(BACKDATE)), Date.from(now.plus(validity)), subject, pair.getPublic());
    JcaX509ExtensionUtils ids = new JcaX509ExtensionUtils();
    builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
        .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature))
        .addExtension(Extension.extendedKeyUsage, false,
            new ExtendedKeyUsage(new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}))
        .addExtension(Extension.subjectKeyIdentifier, false, ids.createSubjectKeyIdentifier(pair.getPublic()))
        .addExtension(Extension.authorityKeyIdentifier, false, ids.createAuthorityKeyIdentifier(pair.getPublic()))
        .addExtension(Extension.subjectAlternativeName, false, new GeneralNames(
            names.stream().map(Certificates::generalName).toArray(GeneralName[]::new)));
    ContentSigner signer = new JcaContentSignerBuilder("SHA256withECDSA").build(pair.getPrivate());
    return new JcaX509CertificateConverter().getCertificate(builder.build(signer));
  }

  private static GeneralName generalName(String name) {
    return IPAddress.isValid(name) ? new GeneralName(GeneralName.iPAddress, name)
        : new GeneralName(GeneralName.dNSName, name);
  }

  /**
   * The names a new certificate is made for: the address the service binds (unless it is a
   * wildcard), the loopback addresses, {@code localhost} and this machine's host name.
   */
  public static List<String> defaultNames(String bindHost) {
    List<String> names = new ArrayList<>();
    if (bindHost != null && !bindHost.isEmpty() && !bindHost.equals("0.0.0.0") && !bindHost.equals("::")) {
      names.add(bindHost);
    }
    names.addAll(List.of("127.0.0.1", "::1", "localhost"));
    String host = hostName();
    if (host != null) {
      names.add(host);
    }
    return names;
  }

  private static String hostName() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (IOException e) {
      String env = System.getenv("HOSTNAME");
      return env == null || env.isBlank() ? null : env.trim();
    }
  }

  /** The first certificate of a PEM (or DER) file: the server's own. */
  public static X509Certificate read(Path file) throws IOException {
    return readChain(file).get(0);
  }

  /** Every certificate of a PEM file, the server's first. */
  public static List<X509Certificate> readChain(Path file) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      List<X509Certificate> chain = new ArrayList<>();
      for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
        chain.add((X509Certificate) c);
      }
      if (chain.isEmpty()) {
        throw new IOException("no X.509 certificate in " + file);
      }
      return chain;
    } catch (CertificateException | ClassCastException e) {
      throw new IOException("no X.509 certificate in " + file + ": " + e.getMessage(), e);
    }
  }

  /** The private key of a PEM file: PKCS#8, or PKCS#1 / SEC 1 ("RSA" / "EC PRIVATE KEY"); not encrypted. */
  public static PrivateKey readPrivateKey(Path file) throws IOException {
    try (PEMParser parser = new PEMParser(Files.newBufferedReader(file, StandardCharsets.US_ASCII))) {
      JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
      for (Object o = parser.readObject(); o != null; o = parser.readObject()) {
        if (o instanceof PrivateKeyInfo info) {
          return converter.getPrivateKey(info);
        }
        if (o instanceof PEMKeyPair pair) {
          return converter.getKeyPair(pair).getPrivate();
        }
      }
    }
    throw new IOException("no unencrypted private key in " + file);
  }

  /** SHA-256 of the certificate's DER form, as colon-separated upper-case hex. */
  public static String fingerprint(Certificate certificate) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(certificate.getEncoded());
      return HexFormat.ofDelimiter(":").withUpperCase().formatHex(digest);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A kept certificate made before a name was configured does not cover it: say so, once, at start. */
  private static void warnIfMissing(X509Certificate certificate, List<String> names, Path file) {
    Set<String> covered = new LinkedHashSet<>();
    try {
      if (certificate.getSubjectAlternativeNames() != null) {
        certificate.getSubjectAlternativeNames().forEach(n -> covered.add(normal(String.valueOf(n.get(1)))));
      }
    } catch (CertificateException e) {
      return;
    }
    List<String> missing = distinct(names).stream().filter(n -> !covered.contains(normal(n))).toList();
    if (!missing.isEmpty()) {
      LOG.warn("TLS certificate {} does not cover {}: clients reaching the service by those names will not "
          + "verify it (delete the pair to have a new one made)", file, String.join(", ", missing));
    }
  }

  /** One spelling per name: IP addresses in their canonical form, DNS names in lower case. */
  private static String normal(String name) {
    if (IPAddress.isValid(name)) {
      try {
        return InetAddress.getByName(name).getHostAddress();
      } catch (IOException e) {
        return name;
      }
    }
    return name.toLowerCase(Locale.ROOT);
  }

  private static List<String> distinct(List<String> names) {
    Set<String> seen = new LinkedHashSet<>();
    List<String> out = new ArrayList<>();
    for (String n : names) {
      String name = n.trim();
      if (name.startsWith("[") && name.endsWith("]")) {
        name = name.substring(1, name.length() - 1);
      }
      if (!name.isEmpty() && seen.add(normal(name))) {
        out.add(name);
      }
    }
    return out;
  }

  private static String pem(Object object) throws IOException {
    StringWriter text = new StringWriter();
    try (JcaPEMWriter writer = new JcaPEMWriter(text)) {
      if (object instanceof PemObjectGenerator generator) {
        writer.writeObject(generator);
      } else {
        writer.writeObject(object);
      }
    }
    return text.toString();
  }

  /** Written owner-only beside its place, then moved over it. */
  static void writeAtomically(Path file, byte[] content) throws IOException {
    Path tmp = Files.createTempFile(file.toAbsolutePath().getParent(), "." + file.getFileName(), ".tmp",
        PosixFilePermissions.asFileAttribute(OWNER_ONLY));
    try {
      Files.write(tmp, content);
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }
}
