package chat.messaging;

import org.apache.activemq.artemis.core.config.Configuration;
import org.apache.activemq.artemis.core.config.impl.ConfigurationImpl;
import org.apache.activemq.artemis.core.server.embedded.EmbeddedActiveMQ;
import org.apache.activemq.artemis.core.settings.impl.AddressSettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.File;

/**
 * ActiveMQ Artemis inside the login role, the default broker of a single machine. Deliveries
 * are for users online now, so nothing is persisted; both acceptors map the queue and topic
 * prefixes onto the same addresses, so AMQP and STOMP subscribers see the same messages.
 */
public final class EmbeddedBroker {
  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedBroker.class);
  /**
   * The largest AMQP frame the broker accepts and sends. Proton allocates an input and an output
   * buffer of this size for every connection as it opens, on the heap: at Artemis's default
   * (128 KiB) that is 256 KiB per connection, each application instance's and each client's.
   * A message larger than a frame travels in several (every AMQP 1.0 peer handles that); a chat
   * message of the longest allowed text fits in one. 32 KiB is what Vert.x's AMQP client uses.
   */
  static final int AMQP_MAX_FRAME_SIZE = 32 * 1024;
  private final EmbeddedActiveMQ server = new EmbeddedActiveMQ();

  /**
   * Starts the broker with security on: {@code security} decides who connects and what each
   * may do. Every acceptor must be listening, or the start fails.
   */
  public void start(BrokerOptions options, BrokerSecurity security) throws Exception {
    File dir = new File(options.dataDir(), "broker");
    Configuration config = new ConfigurationImpl()
        .setName("chat-broker")
        .setPersistenceEnabled(false)
        .setSecurityEnabled(true)
        // every decision is asked of the security manager afresh: a revoked token or a left
        // group stops counting at once, and no decision cached for one name serves another
        .setSecurityInvalidationInterval(0)
        // a subscription to "#" or "*" is a literal address, never every channel at once
        .setWildcardRoutingEnabled(false)
        .setJMXManagementEnabled(false)
        .setJournalDirectory(new File(dir, "journal").getPath())
        .setBindingsDirectory(new File(dir, "bindings").getPath())
        .setLargeMessagesDirectory(new File(dir, "large").getPath())
        .setPagingDirectory(new File(dir, "paging").getPath())
        .addAcceptorConfiguration("amqp", "tcp://" + options.host() + ":" + options.amqpPort()
            + "?protocols=AMQP;anycastPrefix=" + Channels.QUEUE_PREFIX + ";multicastPrefix=" + Channels.TOPIC_PREFIX
            + ";maxFrameSize=" + AMQP_MAX_FRAME_SIZE + tls(options))
        .addAcceptorConfiguration("stomp", "tcp://" + options.host() + ":" + options.stompPort()
            + "?protocols=STOMP;anycastPrefix=/queue/;multicastPrefix=/topic/" + tls(options));
    // Queues of users who went away are removed once empty, and their stale messages expire.
    config.addAddressSetting("#", new AddressSettings()
        .setAutoCreateQueues(true)
        .setAutoCreateAddresses(true)
        .setAutoDeleteQueues(true)
        .setAutoDeleteAddresses(true)
        .setAutoDeleteQueuesDelay(30_000)
        .setMaxSizeBytes(64L * 1024 * 1024));
    server.setConfiguration(config);
    server.setSecurityManager(security);
    ensureFree(options.host(), options.amqpPort(), "amqp");
    ensureFree(options.host(), options.stompPort(), "stomp");
    server.start();
    var acceptors = server.getActiveMQServer().getRemotingService().getAcceptors();
    for (var wanted : java.util.Map.of("amqp", options.amqpPort(), "stomp", options.stompPort()).entrySet()) {
      var acceptor = acceptors.get(wanted.getKey());
      if (!server.getActiveMQServer().isActive() || acceptor == null || !acceptor.isStarted()) {
        stop();
        throw new IllegalStateException("the broker's " + wanted.getKey() + " acceptor could not listen on "
            + options.host() + ":" + wanted.getValue() + " (is the port taken?)");
      }
    }
    LOG.info("embedded broker started: AMQP on {}:{}, STOMP on {}:{}", options.host(), options.amqpPort(),
        options.host(), options.stompPort());
  }

  /**
   * With TLS on, both acceptors serve the service's pair (as a PKCS#12 store the broker can
   * read, next to the pair, under a generated password) and TLS 1.3 or 1.2 only.
   */
  private static String tls(BrokerOptions options) throws java.io.IOException {
    if (!options.tls().enabled()) {
      return "";
    }
    java.nio.file.Path dir = chat.config.Secrets.privateDirectory(java.nio.file.Path.of(options.dataDir(), "secrets"));
    String password = chat.config.Secrets.loadOrCreate(java.nio.file.Path.of(options.dataDir()), "broker-keystore");
    java.nio.file.Path store = options.tls().writeKeyStore(dir.resolve("broker.p12"), password.toCharArray());
    return ";sslEnabled=true;keyStoreType=PKCS12;keyStorePath=" + store + ";keyStorePassword=" + password
        + ";enabledProtocols=" + String.join(",", chat.config.TlsOptions.PROTOCOLS);
  }

  /** The broker would log a taken port and run on without that acceptor: say so and stop instead. */
  private static void ensureFree(String host, int port, String acceptor) {
    try (java.net.ServerSocket probe = new java.net.ServerSocket()) {
      probe.setReuseAddress(true);
      probe.bind(new java.net.InetSocketAddress(host, port));
    } catch (java.io.IOException e) {
      throw new IllegalStateException("the broker's " + acceptor + " acceptor cannot listen on " + host + ":" + port
          + ": " + e.getMessage());
    }
  }

  public void stop() {
    try {
      server.stop();
    } catch (Exception e) {
      LOG.warn("embedded broker did not stop cleanly", e);
    }
  }
}
