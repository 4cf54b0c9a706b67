package chat.messaging;

import java.util.Locale;

/**
 * The embedded broker's place in a replicated pair: {@code PRIMARY} is live first and
 * replicates its journal to the {@code BACKUP}, which stays passive (its client acceptors
 * closed) until the primary goes, then becomes live. The two reach each other on their
 * cluster acceptors ({@code clusterHost:clusterPort}, the other's being {@code peer}) and prove
 * themselves with the cluster user and password. {@code networkCheck} is a comma-separated list
 * of addresses each broker pings: one that reaches none of them takes itself for cut off and
 * stops (or, a backup, does not become live).
 */
public record BrokerPair(Role role, String clusterHost, int clusterPort, String peer, String clusterUser,
                         String clusterPassword, String networkCheck) {

  public enum Role {
    NONE, PRIMARY, BACKUP;

    /** {@code none}, {@code primary} or {@code backup}, as the setting {@code broker.ha} says it. */
    public static Role parse(String value) {
      try {
        return valueOf((value == null || value.isBlank() ? "none" : value.trim()).toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("broker.ha is none, primary or backup, not " + value);
      }
    }
  }

  /** A broker on its own. */
  public static final BrokerPair NONE = new BrokerPair(Role.NONE, "127.0.0.1", 0, "", "", "", "");

  public BrokerPair {
    networkCheck = networkCheck == null ? "" : networkCheck.trim();
  }

  public boolean enabled() {
    return role != Role.NONE;
  }

  /** Never prints the password. */
  @Override
  public String toString() {
    return enabled() ? "pair[" + role.name().toLowerCase(Locale.ROOT) + ", cluster " + clusterHost + ":" + clusterPort
        + ", peer " + peer + ", user " + clusterUser + "]" : "single";
  }
}
