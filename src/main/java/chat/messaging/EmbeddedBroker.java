package chat.messaging;

import org.apache.activemq.artemis.core.config.ClusterConnectionConfiguration;
import org.apache.activemq.artemis.core.config.Configuration;
import org.apache.activemq.artemis.core.config.ha.ReplicaPolicyConfiguration;
import org.apache.activemq.artemis.core.config.ha.ReplicatedPolicyConfiguration;
import org.apache.activemq.artemis.core.server.ActivateCallback;
import org.apache.activemq.artemis.core.server.cluster.impl.MessageLoadBalancingType;
import org.apache.activemq.artemis.core.config.impl.ConfigurationImpl;
import org.apache.activemq.artemis.core.server.embedded.EmbeddedActiveMQ;
import org.apache.activemq.artemis.core.settings.impl.AddressSettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.File;
import javax.management.MBeanServer;
import javax.management.MBeanServerFactory;

/**
 * ActiveMQ Artemis inside the login role, the default broker of a single machine. Deliveries
 * are for users online now, so a broker on its own persists nothing; both acceptors map the
 * queue and topic prefixes onto the same addresses, so AMQP and STOMP subscribers see the same
 * messages.
 *
 * <p>One of a replicated pair ({@link BrokerPair}) keeps a journal and replicates it: the
 * primary sends every durable write to the backup before it confirms it, the backup stays
 * passive (no client acceptor open) until the primary goes, then becomes live with what was
 * replicated. Non-durable messages are never journaled, so never replicated. The two talk over
 * a cluster acceptor of its own (core protocol only, on {@code clusterHost}), as the cluster
 * user; with TLS on it serves the service's pair and the peer must present it too.
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
  /** The pair's cluster connection; both brokers of a pair use the same name. */
  static final String CLUSTER = "chat-pair";
  private final EmbeddedActiveMQ server = new EmbeddedActiveMQ();
  private volatile boolean live;

  /**
   * Starts the broker with security on: {@code security} decides who connects and what each
   * may do. Every acceptor must be listening, or the start fails.
   */
  public void start(BrokerOptions options, BrokerSecurity security) throws Exception {
    File dir = new File(options.dataDir(), "broker");
    Configuration config = new ConfigurationImpl()
        .setName("chat-broker")
        .setPersistenceEnabled(options.pair().enabled())
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
    if (options.pair().enabled()) {
      pair(config, options);
    }
    server.setConfiguration(config);
    server.setSecurityManager(security);
    // the broker's management is off (no JMX): a server of its own, empty, spares this process
    // the JVM's platform MBean server, whose making (every platform MXBean, the flight
    // recorder's among them) took about 0.1 s of the start
    server.setMbeanServer(MBeanServerFactory.newMBeanServer());
    ensureFree(options.host(), options.amqpPort(), "amqp");
    ensureFree(options.host(), options.stompPort(), "stomp");
    if (options.pair().enabled()) {
      ensureFree(options.pair().clusterHost(), options.pair().clusterPort(), "cluster");
    }
    server.start();
    server.getActiveMQServer().registerActivateCallback(new ActivateCallback() {
      @Override
      public void activationComplete() {
        live = true;
        if (options.pair().role() == BrokerPair.Role.BACKUP) {
          LOG.warn("the backup broker is live now: AMQP on {}:{}, STOMP on {}:{}", options.host(), options.amqpPort(),
              options.host(), options.stompPort());
        }
      }

      @Override
      public void deActivate() {
        live = false;
      }
    });
    if (server.getActiveMQServer().isActive()) {
      live = true;
    }
    // a backup makes its acceptors, and opens them, only when it becomes live; a primary whose
    // peer took over while it was away is such a backup now
    var policy = server.getActiveMQServer().getHAPolicy();
    boolean passive = options.pair().enabled() && !live && policy != null && policy.isBackup();
    var remoting = server.getActiveMQServer().getRemotingService();
    var acceptors = passive || remoting == null ? java.util.Map.<String, Object>of() : remoting.getAcceptors();
    for (var wanted : java.util.Map.of("amqp", options.amqpPort(), "stomp", options.stompPort()).entrySet()) {
      if (passive) {
        break;
      }
      var acceptor = (org.apache.activemq.artemis.spi.core.remoting.Acceptor) acceptors.get(wanted.getKey());
      if (!server.getActiveMQServer().isActive() || acceptor == null || !acceptor.isStarted()) {
        stop();
        throw new IllegalStateException("the broker's " + wanted.getKey() + " acceptor could not listen on "
            + options.host() + ":" + wanted.getValue() + " (is the port taken?)");
      }
    }
    if (passive) {
      LOG.info("embedded broker started as the backup of {}{}: passive until it goes, then AMQP on {}:{}, STOMP on {}:{}",
          options.pair().peer(), options.pair().role() == BrokerPair.Role.PRIMARY ? " (which took over while this "
              + "primary was away)" : "", options.host(), options.amqpPort(), options.host(), options.stompPort());
    } else {
      LOG.info("embedded broker started{}: AMQP on {}:{}, STOMP on {}:{}",
          options.pair().enabled() ? " as the primary of a pair (cluster on " + options.pair().clusterHost() + ":"
              + options.pair().clusterPort() + ", peer " + options.pair().peer() + ")" : "",
          options.host(), options.amqpPort(), options.host(), options.stompPort());
    }
  }

  /** The MBean server the broker was given (its management is off: nothing is registered in it). */
  MBeanServer mbeanServer() {
    return server.getActiveMQServer().getMBeanServer();
  }

  /**
   * The connections open to this broker now, over AMQP and STOMP: one a process of the service
   * (its link, which its application instances share) and one a user's client.
   */
  public int connections() {
    var active = server.getActiveMQServer();
    return active == null ? 0 : active.getConnectionCount();
  }

  /** The senders attached to this broker now, over every connection (a process's link has one). */
  public int producers() {
    var active = server.getActiveMQServer();
    return active == null ? 0 : active.getSessions().stream().mapToInt(s -> s.getServerProducers().size()).sum();
  }

  /** Whether this broker serves clients now: a broker on its own or a primary once started, a backup once it took over. */
  public boolean live() {
    return live && server.getActiveMQServer() != null && server.getActiveMQServer().isActive();
  }

  /**
   * The pair: a cluster acceptor for the peer (core protocol only), a connector to the peer, one
   * cluster connection over it that moves no messages between the two (only one is ever live),
   * and the replication policy of this broker's role. The primary checks at start whether its
   * peer took over meanwhile and, if so, becomes its backup instead of a second live broker;
   * a backup that took over stays live when the old primary comes back (no fail-back: that
   * would interrupt everyone a second time).
   */
  private static void pair(Configuration config, BrokerOptions options) throws Exception {
    BrokerPair pair = options.pair();
    if (pair.peer().isBlank()) {
      throw new IllegalArgumentException("broker.ha=" + pair.role().name().toLowerCase() + " needs broker.peer, "
          + "the host:port of the other broker's cluster acceptor");
    }
    if (pair.clusterPassword().isEmpty()) {
      throw new IllegalArgumentException("a broker pair needs its cluster password (broker.clusterPassword)");
    }
    String self = "tcp://" + bracket(pair.clusterHost()) + ":" + pair.clusterPort();
    // a durable delivery is confirmed once the backup has it too, not once it is on this disk:
    // the pair is what keeps it when one broker dies; deliveries live a minute at most anyway
    config.setJournalSyncNonTransactional(false);
    config.setClusterUser(pair.clusterUser())
        .setClusterPassword(pair.clusterPassword())
        .addAcceptorConfiguration("cluster", self + "?protocols=CORE" + tls(options))
        .addConnectorConfiguration("self", self + clusterTrust(options, "?"))
        .addConnectorConfiguration("peer", "tcp://" + pair.peer() + clusterTrust(options, "?"))
        .addClusterConfiguration(new ClusterConnectionConfiguration()
            .setName(CLUSTER)
            .setConnectorName("self")
            .setStaticConnectors(java.util.List.of("peer"))
            .setMessageLoadBalancingType(MessageLoadBalancingType.OFF)
            .setRetryInterval(500)
            .setMaxRetryInterval(2_000)
            .setReconnectAttempts(-1)
            .setInitialConnectAttempts(-1)
            // the peer is declared dead after this much silence on a connection that is still open
            .setClientFailureCheckPeriod(1_000)
            .setConnectionTTL(5_000));
    if (!pair.networkCheck().isEmpty()) {
      config.setNetworkCheckList(pair.networkCheck())
          .setNetworkCheckPeriod(5_000)
          .setNetworkCheckTimeout(1_000);
    }
    if (pair.role() == BrokerPair.Role.PRIMARY) {
      config.setHAPolicyConfiguration(new ReplicatedPolicyConfiguration()
          .setClusterName(CLUSTER)
          .setCheckForActiveServer(true)
          // a vote needs three pairs at least: in a pair the primary would stop whenever its backup did
          .setVoteOnReplicationFailure(false));
    } else {
      ReplicaPolicyConfiguration replica = new ReplicaPolicyConfiguration()
          .setClusterName(CLUSTER)
          .setAllowFailBack(false)
          .setRestartBackup(true);
      // with only its primary to ask, the vote has nobody else to wait for: decide in seconds
      replica.setQuorumVoteWait(2);
      replica.setVoteRetries(1);
      config.setHAPolicyConfiguration(replica);
    }
  }

  /** Parameters of a connector to the pair's cluster acceptor: with TLS on, trust exactly the service's pair. */
  private static String clusterTrust(BrokerOptions options, String first) throws java.io.IOException {
    if (!options.tls().enabled()) {
      return "";
    }
    String password = chat.config.Secrets.loadOrCreate(java.nio.file.Path.of(options.dataDir()), "broker-keystore");
    java.nio.file.Path store = keyStore(options, password);
    return first + "sslEnabled=true;trustStoreType=PKCS12;trustStorePath=" + store + ";trustStorePassword=" + password
        + ";enabledProtocols=" + String.join(",", chat.config.TlsOptions.PROTOCOLS);
  }

  private static String bracket(String host) {
    return host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
  }

  /**
   * With TLS on, both acceptors serve the service's pair (as a PKCS#12 store the broker can
   * read, next to the pair, under a generated password) and TLS 1.3 or 1.2 only.
   */
  private static String tls(BrokerOptions options) throws java.io.IOException {
    if (!options.tls().enabled()) {
      return "";
    }
    String password = chat.config.Secrets.loadOrCreate(java.nio.file.Path.of(options.dataDir()), "broker-keystore");
    java.nio.file.Path store = keyStore(options, password);
    return ";sslEnabled=true;keyStoreType=PKCS12;keyStorePath=" + store + ";keyStorePassword=" + password
        + ";enabledProtocols=" + String.join(",", chat.config.TlsOptions.PROTOCOLS);
  }

  private static java.nio.file.Path keyStore(BrokerOptions options, String password) throws java.io.IOException {
    java.nio.file.Path dir = chat.config.Secrets.privateDirectory(java.nio.file.Path.of(options.dataDir(), "secrets"));
    return options.tls().writeKeyStore(dir.resolve("broker.p12"), password.toCharArray());
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

  /**
   * Whether the pair is whole: a primary that replicates to its backup, a backup in step with
   * its primary. Always false for a broker on its own.
   */
  public boolean replicating() {
    var s = server.getActiveMQServer();
    if (s == null || !s.isStarted()) {
      return false;
    }
    var replication = s.getReplicationManager();
    return s.isReplicaSync() || (replication != null && replication.isStarted() && !replication.isSynchronizing());
  }

  /**
   * Stops at once without handing over to the backup: what the backup sees when the
   * primary's process dies, it has to decide by itself.
   */
  public void halt() {
    try {
      server.getActiveMQServer().stop(false, false);
    } catch (Exception e) {
      LOG.warn("embedded broker did not halt cleanly", e);
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
