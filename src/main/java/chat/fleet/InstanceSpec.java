package chat.fleet;

/**
 * What a new application instance needs to know to join the fleet: its fleet id, where the
 * broker and the store are, and how many distinct users it may serve.
 */
public record InstanceSpec(String instanceId, String brokerUrl, String storeUrl, int capacity, String cluster) { }
