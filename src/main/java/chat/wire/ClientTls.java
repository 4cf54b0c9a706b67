package chat.wire;

import chat.config.Certificates;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.util.Collection;

/**
 * Connections of the blocking clients (the command-line client, the bench): plain TCP, or TLS
 * that verifies the server's certificate against a given CA or certificate file (else the JVM's
 * default trust store) and checks the host name or IP address it was reached by. A server that
 * does not verify is an error, never a reason to try plain text.
 */
public final class ClientTls {
  private static final String[] PROTOCOLS = {"TLSv1.3", "TLSv1.2"};

  private final SSLContext context;
  private final String trustedBy;
  private final TrustManagerFactory trust;

  private ClientTls(SSLContext context, String trustedBy, TrustManagerFactory trust) {
    this.context = context;
    this.trustedBy = trustedBy;
    this.trust = trust;
  }

  /** No TLS: {@link #connect} gives a plain socket. */
  public static ClientTls plain() {
    return new ClientTls(null, null, null);
  }

  /**
   * TLS trusting the certificates in {@code caFile} (PEM or DER: a CA, or the server's own
   * self-signed certificate), or the JVM's default trust store when it is {@code null}.
   */
  public static ClientTls trusting(Path caFile) throws IOException {
    try {
      SSLContext context = SSLContext.getInstance("TLS");
      TrustManagerFactory trust = caFile == null ? null : trustManagers(caFile);
      context.init(null, trust == null ? null : trust.getTrustManagers(), null);
      return new ClientTls(context, caFile == null ? "the default trust store" : caFile.toString(), trust);
    } catch (GeneralSecurityException e) {
      throw new IOException("cannot set up TLS: " + e.getMessage(), e);
    }
  }

  private static TrustManagerFactory trustManagers(Path caFile) throws IOException, GeneralSecurityException {
    Collection<? extends Certificate> certificates = Certificates.readChain(caFile);
    KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
    store.load(null, null);
    int i = 0;
    for (Certificate c : certificates) {
      store.setCertificateEntry("ca-" + i++, c);
    }
    TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    factory.init(store);
    return factory;
  }

  public boolean enabled() {
    return context != null;
  }

  /**
   * How a user connects to the broker at {@code url} ({@code amqp://} or {@code amqps://}): with
   * its name and token, and over TLS verified as every other link of this client when the URL
   * says {@code amqps}. An {@code amqps} broker with TLS off here uses the default trust store.
   */
  public io.vertx.amqp.AmqpClientOptions amqp(String url, String user, String token) {
    java.net.URI uri = java.net.URI.create(url);
    io.vertx.amqp.AmqpClientOptions options = new io.vertx.amqp.AmqpClientOptions()
        .setHost(uri.getHost()).setPort(uri.getPort()).setConnectTimeout(5_000);
    if (user != null) {
      options.setUsername(user).setPassword(token);
    }
    if ("amqps".equalsIgnoreCase(uri.getScheme())) {
      options.setSsl(true).setHostnameVerificationAlgorithm("HTTPS")
          .setEnabledSecureTransportProtocols(new java.util.LinkedHashSet<>(java.util.List.of(PROTOCOLS)));
      if (trust != null) {
        options.setTrustOptions(io.vertx.core.net.TrustOptions.wrap(trust.getTrustManagers()[0]));
      }
    }
    return options;
  }

  /**
   * A connected socket to {@code to}, its TLS handshake done when TLS is on.
   *
   * @throws Untrusted when the server's certificate does not verify
   */
  public Socket connect(InetSocketAddress to, int connectTimeoutMillis, int readTimeoutMillis) throws IOException {
    Socket socket = new Socket();
    try {
      socket.setTcpNoDelay(true);
      socket.connect(to, connectTimeoutMillis);
      socket.setSoTimeout(readTimeoutMillis);
      if (context == null) {
        return socket;
      }
      SSLSocket tls = (SSLSocket) context.getSocketFactory().createSocket(socket, to.getHostString(), to.getPort(), true);
      SSLParameters parameters = tls.getSSLParameters();
      parameters.setEndpointIdentificationAlgorithm("HTTPS"); // the name or IP reached must be in the certificate
      parameters.setProtocols(PROTOCOLS);
      tls.setSSLParameters(parameters);
      try {
        tls.startHandshake();
      } catch (SSLException e) {
        tls.close();
        String server = to.getHostString() + ":" + to.getPort();
        throw new Untrusted(certificateProblem(e)
            ? "the certificate of " + server + " does not verify against " + trustedBy + ": " + reason(e)
            : "TLS handshake with " + server + " failed (does it serve TLS?): " + reason(e), e);
      }
      return tls;
    } catch (IOException | RuntimeException e) {
      socket.close();
      throw e;
    }
  }

  private static boolean certificateProblem(Throwable e) {
    for (Throwable t = e; t != null && t.getCause() != t; t = t.getCause()) {
      if (t instanceof CertificateException) {
        return true;
      }
    }
    return false;
  }

  /** The innermost message: the one that names what did not verify. */
  private static String reason(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    return t.getMessage() == null ? e.toString() : t.getMessage();
  }

  /** The server could not be verified, or spoke no TLS: talking to it anyway would be unsafe. */
  public static final class Untrusted extends IOException {
    Untrusted(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
