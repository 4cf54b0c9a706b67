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
  private final EmbeddedActiveMQ server = new EmbeddedActiveMQ();

  public void start(BrokerOptions options) throws Exception {
    File dir = new File(options.dataDir(), "broker");
    Configuration config = new ConfigurationImpl()
        .setName("chat-broker")
        .setPersistenceEnabled(false)
        .setSecurityEnabled(false)
        .setJMXManagementEnabled(false)
        .setJournalDirectory(new File(dir, "journal").getPath())
        .setBindingsDirectory(new File(dir, "bindings").getPath())
        .setLargeMessagesDirectory(new File(dir, "large").getPath())
        .setPagingDirectory(new File(dir, "paging").getPath())
        .addAcceptorConfiguration("amqp", "tcp://" + options.host() + ":" + options.amqpPort()
            + "?protocols=AMQP;anycastPrefix=" + Channels.QUEUE_PREFIX + ";multicastPrefix=" + Channels.TOPIC_PREFIX)
        .addAcceptorConfiguration("stomp", "tcp://" + options.host() + ":" + options.stompPort()
            + "?protocols=STOMP;anycastPrefix=/queue/;multicastPrefix=/topic/");
    // Queues of users who went away are removed once empty, and their stale messages expire.
    config.addAddressSetting("#", new AddressSettings()
        .setAutoCreateQueues(true)
        .setAutoCreateAddresses(true)
        .setAutoDeleteQueues(true)
        .setAutoDeleteAddresses(true)
        .setAutoDeleteQueuesDelay(30_000)
        .setMaxSizeBytes(64L * 1024 * 1024));
    server.setConfiguration(config);
    server.start();
    LOG.info("embedded broker started: AMQP on {}:{}, STOMP on {}:{}", options.host(), options.amqpPort(),
        options.host(), options.stompPort());
  }

  public void stop() {
    try {
      server.stop();
    } catch (Exception e) {
      LOG.warn("embedded broker did not stop cleanly", e);
    }
  }
}
