package chat.messaging;

/**
 * Channel ids and the broker addresses they map to. Ids are random, so knowing a user's or a
 * group's name is not enough to read its messages. A personal channel is a queue (anycast), a
 * group channel a topic (multicast); the prefixes are the ones ActiveMQ Classic understands
 * natively and the embedded Artemis broker is configured with, on AMQP; STOMP clients use
 * {@code /queue/} and {@code /topic/} for the same addresses.
 */
public final class Channels {
  public static final String QUEUE_PREFIX = "queue://";
  public static final String TOPIC_PREFIX = "topic://";
  private static final java.util.regex.Pattern CHANNEL = java.util.regex.Pattern.compile("[ug]-[0-9a-f]{32}");

  private Channels() { }

  public static String newPersonal() {
    return "u-" + random(16);
  }

  public static String newGroup() {
    return "g-" + random(16);
  }

  /** A random hex string of {@code bytes} bytes of entropy (tokens use it too). */
  public static String random(int bytes) {
    return chat.config.Secrets.random(bytes);
  }

  /** Whether {@code address} is exactly a personal or group channel id, as this class makes them. */
  public static boolean isChannel(String address) {
    return address != null && CHANNEL.matcher(address).matches();
  }

  public static String personalAddress(String channel) {
    return QUEUE_PREFIX + channel;
  }

  public static String groupAddress(String channel) {
    return TOPIC_PREFIX + channel;
  }
}
