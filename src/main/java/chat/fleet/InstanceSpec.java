package chat.fleet;

import chat.config.TlsOptions;

import java.util.Map;

/**
 * What a new application instance needs to know to join the fleet: its fleet id, where the
 * broker and the store are, how many distinct users it may serve, its secrets, and the TLS
 * pair it serves with (the login role's own, which is the one the login role trusts when it
 * forwards).
 *
 * <p>{@code secrets} are environment variables ({@code CHAT_STORE_PASSWORD},
 * {@code CHAT_BROKER_PASSWORD}, {@code CHAT_INSTANCE_SECRET}, …) that the instance must get
 * without them ever appearing on a command line or in EC2 user-data: a local provider puts
 * them in the child's environment, the EC2 provider hands them over through a secret store.
 */
public record InstanceSpec(String instanceId, String brokerUrl, String storeUrl, int capacity, String cluster,
                           Map<String, String> secrets, TlsOptions tls) {

  public InstanceSpec {
    secrets = Map.copyOf(secrets);
    tls = tls == null ? TlsOptions.disabled() : tls;
  }

  /** An instance that serves plain text and needs no secrets. */
  public InstanceSpec(String instanceId, String brokerUrl, String storeUrl, int capacity, String cluster) {
    this(instanceId, brokerUrl, storeUrl, capacity, cluster, Map.of(), TlsOptions.disabled());
  }

  public InstanceSpec(String instanceId, String brokerUrl, String storeUrl, int capacity, String cluster,
                      Map<String, String> secrets) {
    this(instanceId, brokerUrl, storeUrl, capacity, cluster, secrets, TlsOptions.disabled());
  }

  public InstanceSpec(String instanceId, String brokerUrl, String storeUrl, int capacity, String cluster,
                      TlsOptions tls) {
    this(instanceId, brokerUrl, storeUrl, capacity, cluster, Map.of(), tls);
  }

  /** Never prints the secrets. */
  @Override
  public String toString() {
    return "InstanceSpec[" + instanceId + ", broker " + brokerUrl + ", store " + storeUrl + ", capacity " + capacity
        + ", cluster " + cluster + ", secrets " + secrets.keySet() + ", tls " + tls.enabled() + "]";
  }
}
