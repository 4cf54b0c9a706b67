package chat.fleet;

import io.vertx.core.json.JsonObject;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ssm.SsmClient;
import software.amazon.awssdk.services.ssm.SsmClientBuilder;
import software.amazon.awssdk.services.ssm.model.Parameter;
import software.amazon.awssdk.services.ssm.model.ParameterNotFoundException;
import software.amazon.awssdk.services.ssm.model.ParameterType;
import software.amazon.awssdk.services.ssm.model.PutParameterRequest;
import software.amazon.awssdk.services.ssm.model.ResourceTypeForTagging;
import software.amazon.awssdk.services.ssm.model.Tag;

import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The secrets of one application instance as one SecureString parameter of SSM Parameter Store:
 * a JSON object of environment variable names and values. The login role writes and deletes it,
 * the instance reads it at start-up; nothing else ever holds the values outside the process.
 *
 * <p>Every call blocks: the login role runs them on worker threads, the app role before Vert.x
 * starts. Region and credentials come from the SDK's default chain unless a region is given;
 * error messages carry parameter names, never values.
 */
public final class SsmSecretStore implements AutoCloseable {

  private final SsmClient ssm;

  /**
   * @param region   AWS region, or null for the SDK's default chain
   * @param endpoint SSM endpoint, or null for the region's own (tests point it at a double)
   */
  public SsmSecretStore(String region, URI endpoint) {
    SsmClientBuilder builder = SsmClient.builder();
    if (region != null && !region.isBlank()) {
      builder.region(Region.of(region));
    }
    if (endpoint != null) {
      builder.endpointOverride(endpoint);
    }
    this.ssm = builder.build();
  }

  /** The region the parameters live in: an instance must ask that region for its parameter. */
  public String region() {
    Region region = ssm.serviceClientConfiguration().region();
    return region == null ? "" : region.id();
  }

  /**
   * Writes {@code secrets} as the parameter {@code name}, replacing any earlier value, then tags
   * it. SSM refuses tags together with Overwrite, hence the second call.
   *
   * @param kmsKeyId KMS key to encrypt with, or null for the account's default key for SSM
   */
  public void put(String name, Map<String, String> secrets, Map<String, String> tags, String kmsKeyId) {
    PutParameterRequest.Builder request = PutParameterRequest.builder()
        .name(name)
        .type(ParameterType.SECURE_STRING)
        .value(encode(secrets))
        .overwrite(true)
        .description("secrets of a chat application instance");
    if (kmsKeyId != null && !kmsKeyId.isBlank()) {
      request.keyId(kmsKeyId);
    }
    ssm.putParameter(request.build());
    if (!tags.isEmpty()) {
      List<Tag> list = new ArrayList<>();
      tags.forEach((key, value) -> list.add(Tag.builder().key(key).value(value).build()));
      ssm.addTagsToResource(b -> b.resourceType(ResourceTypeForTagging.PARAMETER).resourceId(name).tags(list));
    }
  }

  /**
   * The secrets held by {@code name}, decrypted.
   *
   * @throws IllegalStateException naming the parameter when it cannot be read or is not a JSON
   *     object of strings; the message never quotes the value
   */
  public Map<String, String> get(String name) {
    Parameter parameter;
    try {
      parameter = ssm.getParameter(b -> b.name(name).withDecryption(true)).parameter();
    } catch (AwsServiceException e) {
      String code = e.awsErrorDetails() == null ? null : e.awsErrorDetails().errorCode();
      throw new IllegalStateException("cannot read the secrets parameter " + name + ": "
          + (code == null ? "" : code + ": ") + e.getMessage(), e);
    } catch (SdkException e) {
      throw new IllegalStateException("cannot read the secrets parameter " + name + ": " + e.getMessage(), e);
    }
    return decode(name, parameter == null ? null : parameter.value());
  }

  /** Deletes {@code name}; false when there was no such parameter, which is no error. */
  public boolean delete(String name) {
    try {
      ssm.deleteParameter(b -> b.name(name));
      return true;
    } catch (ParameterNotFoundException e) {
      return false;
    }
  }

  /** Names of the parameters directly under {@code path}; their values are not decrypted. */
  public List<String> names(String path) {
    List<String> names = new ArrayList<>();
    ssm.getParametersByPathPaginator(b -> b.path(path).recursive(false).withDecryption(false))
        .forEach(page -> page.parameters().forEach(p -> names.add(p.name())));
    return names;
  }

  @Override
  public void close() {
    ssm.close();
  }

  /** Sorted, so the same secrets always make the same value. */
  static String encode(Map<String, String> secrets) {
    JsonObject json = new JsonObject();
    new TreeMap<>(secrets).forEach(json::put);
    return json.encode();
  }

  static Map<String, String> decode(String name, String value) {
    JsonObject json;
    try {
      json = new JsonObject(value == null ? "" : value);
    } catch (RuntimeException e) {
      // the parser's message may quote the text, which is secret
      throw new IllegalStateException("the secrets parameter " + name + " is not a JSON object");
    }
    Map<String, String> secrets = new LinkedHashMap<>();
    for (Map.Entry<String, Object> entry : json) {
      if (!(entry.getValue() instanceof String text)) {
        throw new IllegalStateException("the secrets parameter " + name + " holds a non-string value for "
            + entry.getKey());
      }
      secrets.put(entry.getKey(), text);
    }
    return secrets;
  }
}
