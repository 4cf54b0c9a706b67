package chat.fleet;

import chat.config.TlsOptions;

/**
 * What a new application instance needs to know to join the fleet: its fleet id, where the
 * broker and the store are, how many distinct users it may serve, and the TLS pair it serves
 * with (the login role's own, which is the one the login role trusts when it forwards).
 */
public record InstanceSpec(String instanceId, String brokerUrl, String storeUrl, int capacity, String cluster,
                           TlsOptions tls) {
  public InstanceSpec {
    tls = tls == null ? TlsOptions.disabled() : tls;
  }

  /** An instance that serves plain text. */
  public InstanceSpec(String instanceId, String brokerUrl, String storeUrl, int capacity, String cluster) {
    this(instanceId, brokerUrl, storeUrl, capacity, cluster, TlsOptions.disabled());
  }
}
