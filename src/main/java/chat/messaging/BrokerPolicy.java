package chat.messaging;

import java.util.EnumSet;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Who may do what on the broker, as a pure function: the table behind the embedded broker's
 * security manager. Principals are the two kinds of service (the login role and application
 * instances), users (who proved themselves with their token), and, only when legacy clients
 * are allowed, anonymous consumers of exact channel addresses.
 */
public final class BrokerPolicy {
  /** The address the fleet's control messages travel on (without the queue prefix). */
  public static final String CONTROL = "chat.fleet.control";
  /** Addresses between login servers (fleet requests to the one that drives the fleet, and its answers). */
  public static final String LOGIN_PREFIX = "chat.fleet.login.";

  /** What a principal may ask of the broker. Mirrors the broker's own check types by name. */
  public enum Action {
    SEND, CONSUME, BROWSE, CREATE_ADDRESS, DELETE_ADDRESS, CREATE_DURABLE_QUEUE, DELETE_DURABLE_QUEUE,
    CREATE_NON_DURABLE_QUEUE, DELETE_NON_DURABLE_QUEUE, MANAGE, VIEW, EDIT
  }

  public enum Kind { LOGIN_SERVICE, APP_SERVICE, USER, ANONYMOUS }

  /** Publishing somewhere: the address and its queue may have to be made first. */
  private static final Set<Action> PUBLISH = EnumSet.of(Action.SEND, Action.CREATE_ADDRESS,
      Action.CREATE_DURABLE_QUEUE, Action.CREATE_NON_DURABLE_QUEUE);
  /** Subscribing to a channel: a queue is made for the subscriber and dropped when it leaves. */
  private static final Set<Action> SUBSCRIBE = EnumSet.of(Action.CONSUME, Action.CREATE_ADDRESS,
      Action.CREATE_DURABLE_QUEUE, Action.CREATE_NON_DURABLE_QUEUE, Action.DELETE_NON_DURABLE_QUEUE);

  private BrokerPolicy() { }

  /**
   * Whether {@code kind} may do {@code action} on {@code address} (a plain address, or
   * {@code address::queue}). {@code owns} tells whether the user holds the channel: it is
   * asked only for users, and only about channel addresses.
   */
  public static boolean allows(Kind kind, Action action, String address, Predicate<String> owns) {
    String a = addressOf(address);
    boolean channel = Channels.isChannel(a);
    boolean control = CONTROL.equals(a);
    boolean betweenLogins = a.startsWith(LOGIN_PREFIX) && a.length() > LOGIN_PREFIX.length();
    return switch (kind) {
      // the login role publishes deliveries (for instances in its own process), reads control,
      // and login servers ask each other for the fleet; the fleet's addresses are theirs: the
      // broker drops one that a login server's leaving subscription emptied
      case LOGIN_SERVICE -> (channel && PUBLISH.contains(action)) || ((control || betweenLogins)
          && (PUBLISH.contains(action) || SUBSCRIBE.contains(action) || action == Action.DELETE_ADDRESS));
      // an instance publishes deliveries and its own registration, and reads nothing
      case APP_SERVICE -> (channel || control) && PUBLISH.contains(action);
      case USER -> channel && SUBSCRIBE.contains(action) && owns.test(a);
      case ANONYMOUS -> channel && SUBSCRIBE.contains(action);
    };
  }

  /** The address part of {@code address::queue}. */
  static String addressOf(String address) {
    if (address == null) {
      return "";
    }
    int split = address.indexOf("::");
    return split < 0 ? address : address.substring(0, split);
  }
}
