package chat.fleet;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * Where and how {@link Ec2InstanceProvider} launches application instances.
 *
 * @param imageId          AMI that already holds the jar (required)
 * @param instanceType     EC2 instance type, default {@code t3.micro}
 * @param subnetId         subnet to launch into, or null for the default VPC's choice
 * @param securityGroupIds security groups by id, possibly empty
 * @param keyName          SSH key pair name, or null
 * @param instanceProfile  IAM instance profile by name, or by ARN when it starts with {@code arn:}
 * @param cluster          value of the {@code cluster} tag that scopes leftovers, default {@code chat}
 * @param appPort          port the application role listens on, default 7000
 * @param region           AWS region, or null for the SDK's default chain
 * @param endpointOverride EC2 endpoint, or null for the region's own (tests point it at a double)
 * @param secretsPrefix    first level of the Parameter Store names that hold instances' secrets,
 *                         {@code /<secretsPrefix>/<cluster>/<instance id>}; default {@code chat}
 * @param secretsKmsKeyId  KMS key that encrypts those parameters, or null for the account's default
 * @param ssmEndpointOverride SSM endpoint, or null for the region's own (tests point it at a double)
 * @param advertiseAddress which of its addresses an instance gives clients and the login role:
 *                         {@code private} (default; clients inside the VPC) or {@code public}
 *                         (clients on the internet; the subnet must give instances a public IPv4)
 */
public record Ec2Options(
    String imageId,
    String instanceType,
    String subnetId,
    List<String> securityGroupIds,
    String keyName,
    String instanceProfile,
    String cluster,
    int appPort,
    String region,
    URI endpointOverride,
    String secretsPrefix,
    String secretsKmsKeyId,
    URI ssmEndpointOverride,
    String advertiseAddress) {

  public static final String DEFAULT_INSTANCE_TYPE = "t3.micro";
  public static final String DEFAULT_CLUSTER = "chat";
  public static final int DEFAULT_APP_PORT = 7000;
  public static final String DEFAULT_SECRETS_PREFIX = "chat";
  public static final String ADVERTISE_PRIVATE = "private";
  public static final String ADVERTISE_PUBLIC = "public";

  /** What Parameter Store takes in a name; the prefix may have levels of its own ({@code org/chat}). */
  private static final Pattern PARAMETER_PATH = Pattern.compile("[A-Za-z0-9_.\\-]+(/[A-Za-z0-9_.\\-]+)*");

  public Ec2Options {
    require(blankToNull(imageId) != null, "ec2 imageId is required");
    instanceType = orDefault(instanceType, DEFAULT_INSTANCE_TYPE);
    subnetId = blankToNull(subnetId);
    securityGroupIds = securityGroupIds == null ? List.of() : securityGroupIds.stream()
        .map(Ec2Options::blankToNull).filter(id -> id != null).toList();
    keyName = blankToNull(keyName);
    instanceProfile = blankToNull(instanceProfile);
    cluster = orDefault(cluster, DEFAULT_CLUSTER);
    if (appPort == 0) {
      appPort = DEFAULT_APP_PORT;
    }
    require(appPort >= 1 && appPort <= 65535, "ec2 appPort out of range: " + appPort);
    region = blankToNull(region);
    // "/chat/" and "chat" name the same path
    secretsPrefix = orDefault(secretsPrefix == null ? null : secretsPrefix.replaceAll("^/+|/+$", ""),
        DEFAULT_SECRETS_PREFIX);
    require(PARAMETER_PATH.matcher(secretsPrefix).matches() && !secretsPrefix.toLowerCase().matches("^(aws|ssm).*"),
        "ec2 secretsPrefix is not a Parameter Store path: " + secretsPrefix);
    require(PARAMETER_PATH.matcher(cluster).matches(),
        "ec2 cluster must be letters, digits, '.', '_' or '-' to name parameters: " + cluster);
    secretsKmsKeyId = blankToNull(secretsKmsKeyId);
    advertiseAddress = orDefault(advertiseAddress, ADVERTISE_PRIVATE);
    require(advertiseAddress.equals(ADVERTISE_PRIVATE) || advertiseAddress.equals(ADVERTISE_PUBLIC),
        "ec2 advertiseAddress must be private or public: " + advertiseAddress);
  }

  /** The options as before secrets had settings of their own: those take their defaults. */
  public Ec2Options(String imageId, String instanceType, String subnetId, List<String> securityGroupIds,
                    String keyName, String instanceProfile, String cluster, int appPort, String region,
                    URI endpointOverride) {
    this(imageId, instanceType, subnetId, securityGroupIds, keyName, instanceProfile, cluster, appPort, region,
        endpointOverride, null, null, null, null);
  }

  /** Options with every default and only an image; the rest is set through the {@code with} methods. */
  public static Ec2Options of(String imageId) {
    return new Ec2Options(imageId, null, null, List.of(), null, null, null, 0, null, null, null, null, null, null);
  }

  /**
   * Reads the keys named like the components. {@code securityGroupIds} is a JSON array, though a
   * comma-separated string is accepted too since such configs often come from environment variables.
   */
  public static Ec2Options fromJson(JsonObject json) {
    if (json == null) {
      throw new IllegalArgumentException("ec2 options missing");
    }
    String endpoint = blankToNull(json.getString("endpointOverride"));
    String ssmEndpoint = blankToNull(json.getString("ssmEndpointOverride"));
    return new Ec2Options(
        json.getString("imageId"),
        json.getString("instanceType"),
        json.getString("subnetId"),
        stringList(json.getValue("securityGroupIds")),
        json.getString("keyName"),
        json.getString("instanceProfile"),
        json.getString("cluster"),
        port(json.getValue("appPort")),
        json.getString("region"),
        endpoint == null ? null : URI.create(endpoint),
        json.getString("secretsPrefix"),
        json.getString("secretsKmsKeyId"),
        ssmEndpoint == null ? null : URI.create(ssmEndpoint),
        json.getString("advertiseAddress"));
  }

  /** True when {@link #instanceProfile()} must be sent as an ARN rather than a name. */
  public boolean instanceProfileIsArn() {
    return instanceProfile != null && instanceProfile.startsWith("arn:");
  }

  public Ec2Options withInstanceType(String value) {
    return with(c -> c.instanceType = value);
  }

  public Ec2Options withSubnetId(String value) {
    return with(c -> c.subnetId = value);
  }

  public Ec2Options withSecurityGroupIds(List<String> value) {
    return with(c -> c.securityGroupIds = value);
  }

  public Ec2Options withKeyName(String value) {
    return with(c -> c.keyName = value);
  }

  public Ec2Options withInstanceProfile(String value) {
    return with(c -> c.instanceProfile = value);
  }

  public Ec2Options withCluster(String value) {
    return with(c -> c.cluster = value);
  }

  public Ec2Options withAppPort(int value) {
    return with(c -> c.appPort = value);
  }

  public Ec2Options withRegion(String value) {
    return with(c -> c.region = value);
  }

  public Ec2Options withEndpointOverride(URI value) {
    return with(c -> c.endpointOverride = value);
  }

  public Ec2Options withSecretsPrefix(String value) {
    return with(c -> c.secretsPrefix = value);
  }

  public Ec2Options withSecretsKmsKeyId(String value) {
    return with(c -> c.secretsKmsKeyId = value);
  }

  public Ec2Options withSsmEndpointOverride(URI value) {
    return with(c -> c.ssmEndpointOverride = value);
  }

  public Ec2Options withAdvertiseAddress(String value) {
    return with(c -> c.advertiseAddress = value);
  }

  /** A copy with what {@code change} sets on the components; validated and defaulted like any other. */
  private Ec2Options with(Consumer<Components> change) {
    Components c = new Components(this);
    change.accept(c);
    return c.options();
  }

  /** The components, to be changed one at a time by the {@code with} methods. */
  private static final class Components {
    String imageId;
    String instanceType;
    String subnetId;
    List<String> securityGroupIds;
    String keyName;
    String instanceProfile;
    String cluster;
    int appPort;
    String region;
    URI endpointOverride;
    String secretsPrefix;
    String secretsKmsKeyId;
    URI ssmEndpointOverride;
    String advertiseAddress;

    Components(Ec2Options o) {
      imageId = o.imageId;
      instanceType = o.instanceType;
      subnetId = o.subnetId;
      securityGroupIds = o.securityGroupIds;
      keyName = o.keyName;
      instanceProfile = o.instanceProfile;
      cluster = o.cluster;
      appPort = o.appPort;
      region = o.region;
      endpointOverride = o.endpointOverride;
      secretsPrefix = o.secretsPrefix;
      secretsKmsKeyId = o.secretsKmsKeyId;
      ssmEndpointOverride = o.ssmEndpointOverride;
      advertiseAddress = o.advertiseAddress;
    }

    Ec2Options options() {
      return new Ec2Options(imageId, instanceType, subnetId, securityGroupIds, keyName, instanceProfile, cluster,
          appPort, region, endpointOverride, secretsPrefix, secretsKmsKeyId, ssmEndpointOverride, advertiseAddress);
    }
  }

  /** Where the secrets of one instance are kept: {@code /<secretsPrefix>/<cluster>/<instanceId>}. */
  public String secretsParameter(String instanceId) {
    return secretsPath() + "/" + instanceId;
  }

  /** The Parameter Store path under which this cluster's instance secrets live. */
  public String secretsPath() {
    return "/" + secretsPrefix + "/" + cluster;
  }

  private static List<String> stringList(Object value) {
    if (value == null) {
      return List.of();
    }
    if (value instanceof JsonArray array) {
      List<String> out = new ArrayList<>(array.size());
      for (Object item : array) {
        out.add(item == null ? null : item.toString());
      }
      return out;
    }
    if (value instanceof List<?> list) {
      return list.stream().map(item -> item == null ? null : item.toString()).toList();
    }
    if (value instanceof String text) {
      return List.of(text.split(","));
    }
    throw new IllegalArgumentException("ec2 securityGroupIds must be an array, got " + value);
  }

  private static int port(Object value) {
    if (value == null) {
      return DEFAULT_APP_PORT;
    }
    if (value instanceof Number number) {
      return number.intValue();
    }
    try {
      return Integer.parseInt(value.toString().trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("ec2 appPort is not a number: " + value);
    }
  }

  private static void require(boolean valid, String otherwise) {
    if (!valid) {
      throw new IllegalArgumentException(otherwise);
    }
  }

  private static String orDefault(String value, String fallback) {
    String v = blankToNull(value);
    return v == null ? fallback : v;
  }

  private static String blankToNull(String value) {
    if (value == null) {
      return null;
    }
    String trimmed = value.trim();
    return trimmed.isEmpty() ? null : trimmed;
  }
}
