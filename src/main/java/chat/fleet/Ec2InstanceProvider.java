package chat.fleet;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.Ec2ClientBuilder;
import software.amazon.awssdk.services.ec2.model.DescribeInstancesRequest;
import software.amazon.awssdk.services.ec2.model.DescribeInstancesResponse;
import software.amazon.awssdk.services.ec2.model.Ec2Exception;
import software.amazon.awssdk.services.ec2.model.Filter;
import software.amazon.awssdk.services.ec2.model.IamInstanceProfileSpecification;
import software.amazon.awssdk.services.ec2.model.Instance;
import software.amazon.awssdk.services.ec2.model.InstanceStateChange;
import software.amazon.awssdk.services.ec2.model.Reservation;
import software.amazon.awssdk.services.ec2.model.ResourceType;
import software.amazon.awssdk.services.ec2.model.RunInstancesRequest;
import software.amazon.awssdk.services.ec2.model.RunInstancesResponse;
import software.amazon.awssdk.services.ec2.model.Tag;
import software.amazon.awssdk.services.ec2.model.TagSpecification;
import software.amazon.awssdk.services.ec2.model.TerminateInstancesResponse;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs application instances as EC2 instances booted by the {@code user-data.sh} template.
 *
 * <p>The SDK's synchronous client runs on Vert.x worker threads, so every returned future is
 * completed on the caller's Vert.x context. Credentials always come from the SDK's default
 * chain; they are never passed through or logged here.
 *
 * <p>Instances are found again by their tags ({@code cluster}, {@code role=app},
 * {@code chat:instance-id}), which is why {@link #close()} leaves them running: the next run of
 * the login role adopts them through {@link #leftovers()}.
 *
 * <p>An instance's secrets never travel in user data, which every process on the machine can read
 * from the metadata service: they are written first as one SecureString parameter
 * ({@link Ec2Options#secretsParameter}) that the instance reads with its instance profile, and
 * user data carries only that parameter's name. The parameter goes when its instance does.
 */
public final class Ec2InstanceProvider implements InstanceProvider {

  public static final String TAG_CLUSTER = "cluster";
  public static final String TAG_ROLE = "role";
  public static final String TAG_INSTANCE_ID = "chat:instance-id";
  public static final String TAG_NAME = "Name";
  public static final String ROLE_APP = "app";

  static final String USER_DATA_RESOURCE = "chat/user-data.sh";
  static final Path USER_DATA_FILE = Path.of("launcher", "user-data.sh");

  /** EC2 refuses user data above 16 KB before base64; failing here gives a clearer message. */
  static final int USER_DATA_MAX_BYTES = 16 * 1024;

  private static final String NOT_FOUND = "InvalidInstanceID.NotFound";
  private static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{([A-Z_]+)}}");
  private static final Logger log = LoggerFactory.getLogger(Ec2InstanceProvider.class);

  private final Vertx vertx;
  private final Ec2Options options;
  private final Ec2Client ec2;
  private final SsmSecretStore secrets;
  /** EC2 instance id to the name of its secrets parameter, for the instances this run knows. */
  private final Map<String, String> parameters = new ConcurrentHashMap<>();
  /** Parameters written for launches still under way, which the clean-up must not take for orphans. */
  private final Set<String> launching = ConcurrentHashMap.newKeySet();
  private final AtomicBoolean closed = new AtomicBoolean();
  private volatile String template;

  public Ec2InstanceProvider(Vertx vertx, Ec2Options options) {
    this.vertx = Objects.requireNonNull(vertx, "vertx");
    this.options = Objects.requireNonNull(options, "options");
    Ec2ClientBuilder builder = Ec2Client.builder();
    if (options.region() != null) {
      builder.region(Region.of(options.region()));
    }
    if (options.endpointOverride() != null) {
      builder.endpointOverride(options.endpointOverride());
    }
    this.ec2 = builder.build();
    this.secrets = new SsmSecretStore(options.region(), options.ssmEndpointOverride());
  }

  @Override
  public String name() {
    return "ec2";
  }

  @Override
  public Future<String> start(InstanceSpec spec) {
    if (closed.get()) {
      return Future.failedFuture(new IllegalStateException("ec2 provider is closed"));
    }
    if (spec == null || spec.instanceId() == null || spec.instanceId().isBlank()) {
      return Future.failedFuture(new IllegalArgumentException("instance spec without an instance id"));
    }
    if (spec.cluster() != null && !spec.cluster().isBlank() && !spec.cluster().equals(options.cluster())) {
      // Leftovers are searched by the configured cluster, so that is the one the tags must carry.
      log.warn("Instance {} asks for cluster {} but this provider tags cluster {}",
          spec.instanceId(), spec.cluster(), options.cluster());
    }
    return vertx.executeBlocking(() -> {
      String parameter = spec.secrets().isEmpty() ? "" : options.secretsParameter(spec.instanceId());
      launching.add(parameter);
      try {
        writeSecrets(spec, parameter);
        String ec2Id;
        try {
          ec2Id = launch(spec, parameter);
        } catch (RuntimeException e) {
          // nothing will ever read it: an unused secret left lying around is one more to leak
          deleteSecrets(parameter);
          throw e;
        }
        if (!parameter.isEmpty()) {
          parameters.put(ec2Id, parameter);
        }
        return ec2Id;
      } finally {
        launching.remove(parameter);
      }
    }, false);
  }

  /** Writes the spec's secrets to {@code parameter}, unless there are none (and the name is ""). */
  private void writeSecrets(InstanceSpec spec, String parameter) {
    if (parameter.isEmpty()) {
      return;
    }
    try {
      secrets.put(parameter, spec.secrets(), Map.of(TAG_CLUSTER, options.cluster(), TAG_ROLE, ROLE_APP,
          TAG_INSTANCE_ID, spec.instanceId()), options.secretsKmsKeyId());
    } catch (RuntimeException e) {
      log.warn("writing secrets parameter {} for {} failed: {}", parameter, spec.instanceId(), e.getMessage());
      deleteSecrets(parameter);
      throw e;
    }
    log.info("PutParameter: secrets of {} ({}) written to {}", spec.instanceId(), spec.secrets().keySet(), parameter);
  }

  private String launch(InstanceSpec spec, String parameter) {
    String userData = renderUserData(template(), spec, options, parameter, secrets.region());
    RunInstancesRequest request = runInstancesRequest(spec, userData);
    RunInstancesResponse response;
    try {
      response = ec2.runInstances(request);
    } catch (RuntimeException e) {
      log.warn("RunInstances for {} failed: {}", spec.instanceId(), e.getMessage());
      throw e;
    }
    if (response.instances().isEmpty()) {
      throw new IllegalStateException("RunInstances for " + spec.instanceId() + " returned no instance");
    }
    String ec2Id = response.instances().get(0).instanceId();
    log.info("RunInstances: {} launched as {} ({} from {}, cluster {})",
        spec.instanceId(), ec2Id, options.instanceType(), options.imageId(), options.cluster());
    return ec2Id;
  }

  /** Best effort, for clean-up paths that already fail for another reason. */
  private void deleteSecrets(String parameter) {
    if (parameter.isEmpty()) {
      return;
    }
    try {
      log.info("DeleteParameter: {} {}", parameter, secrets.delete(parameter) ? "deleted" : "was already gone");
    } catch (RuntimeException e) {
      log.warn("DeleteParameter {} failed: {}", parameter, e.getMessage());
    }
  }

  @Override
  public Future<Void> stop(String providerRef) {
    if (closed.get()) {
      return Future.failedFuture(new IllegalStateException("ec2 provider is closed"));
    }
    if (providerRef == null || providerRef.isBlank()) {
      return Future.failedFuture(new IllegalArgumentException("no EC2 instance id to stop"));
    }
    return vertx.executeBlocking(() -> {
      try {
        TerminateInstancesResponse response = ec2.terminateInstances(b -> b.instanceIds(providerRef));
        String state = response.terminatingInstances().stream()
            .filter(change -> providerRef.equals(change.instanceId()))
            .map(InstanceStateChange::currentState)
            .filter(Objects::nonNull)
            .map(s -> s.nameAsString())
            .findFirst().orElse("unknown");
        log.info("TerminateInstances: {} is {}", providerRef, state);
      } catch (Ec2Exception e) {
        if (e.awsErrorDetails() != null && NOT_FOUND.equals(e.awsErrorDetails().errorCode())) {
          log.info("TerminateInstances: {} is already gone", providerRef);
          forgetSecrets(providerRef);
          return null;
        }
        log.warn("TerminateInstances for {} failed: {}", providerRef, e.getMessage());
        throw e;
      } catch (RuntimeException e) {
        log.warn("TerminateInstances for {} failed: {}", providerRef, e.getMessage());
        throw e;
      }
      forgetSecrets(providerRef);
      return null;
    }, false);
  }

  /**
   * Deletes the secrets parameter of a terminated instance. A failure fails the stop, so it is
   * seen; the parameter is then deleted at the next start-up, by {@link #leftovers()}.
   */
  private void forgetSecrets(String ec2Id) {
    String parameter = parameters.remove(ec2Id);
    if (parameter == null) {
      return;
    }
    try {
      boolean existed = secrets.delete(parameter);
      log.info("DeleteParameter: {} {}", parameter, existed ? "deleted" : "was already gone");
    } catch (RuntimeException e) {
      log.warn("DeleteParameter {} of terminated {} failed: {}", parameter, ec2Id, e.getMessage());
      throw new IllegalStateException(ec2Id + " is terminated but its secrets parameter " + parameter
          + " could not be deleted: " + e.getMessage(), e);
    }
  }

  /**
   * Pending and running application instances tagged with this cluster. An instance missing the
   * {@value #TAG_INSTANCE_ID} tag is still listed, with a null fleet id, so it can be cleaned up.
   *
   * <p>These instances keep their secrets parameters, to be deleted when they are stopped; the
   * parameters under this cluster's path whose instance is gone are deleted now.
   */
  @Override
  public Future<List<Leftover>> leftovers() {
    if (closed.get()) {
      return Future.failedFuture(new IllegalStateException("ec2 provider is closed"));
    }
    return vertx.executeBlocking(() -> {
      List<Leftover> found = describeApps(List.of());
      for (Leftover leftover : found) {
        if (leftover.instanceId() != null) {
          parameters.put(leftover.providerRef(), options.secretsParameter(leftover.instanceId()));
        }
      }
      deleteOrphanedSecrets();
      return List.copyOf(found);
    }, false);
  }

  /**
   * The pending or running application instance of this cluster tagged with {@code instanceId};
   * its secrets parameter goes with it when it is stopped.
   */
  @Override
  public Future<String> locate(String instanceId) {
    if (closed.get()) {
      return Future.failedFuture(new IllegalStateException("ec2 provider is closed"));
    }
    return vertx.executeBlocking(() -> {
      List<Leftover> found = describeApps(List.of(Filter.builder().name("tag:" + TAG_INSTANCE_ID).values(instanceId)
          .build()));
      if (found.isEmpty()) {
        return null;
      }
      String ec2Id = found.get(0).providerRef();
      parameters.put(ec2Id, options.secretsParameter(instanceId));
      return ec2Id;
    }, false);
  }

  /** This cluster's pending and running application instances that also match {@code more}, every page of them. */
  private List<Leftover> describeApps(List<Filter> more) {
    List<Filter> filters = new ArrayList<>(List.of(
        Filter.builder().name("tag:" + TAG_CLUSTER).values(options.cluster()).build(),
        Filter.builder().name("tag:" + TAG_ROLE).values(ROLE_APP).build(),
        Filter.builder().name("instance-state-name").values("pending", "running").build()));
    filters.addAll(more);
    List<Leftover> found = new ArrayList<>();
    String nextToken = null;
    do {
      DescribeInstancesResponse page = ec2.describeInstances(DescribeInstancesRequest.builder()
          .filters(filters)
          .nextToken(nextToken)
          .build());
      for (Reservation reservation : page.reservations()) {
        for (Instance instance : reservation.instances()) {
          found.add(new Leftover(instance.instanceId(), tagValue(instance.tags(), TAG_INSTANCE_ID)));
        }
      }
      nextToken = page.nextToken();
    } while (nextToken != null && !nextToken.isEmpty());
    return found;
  }

  /** Called once the leftovers are known: every parameter this run still needs is in {@link #parameters}. */
  private void deleteOrphanedSecrets() {
    List<String> names;
    try {
      names = secrets.names(options.secretsPath());
    } catch (RuntimeException e) {
      log.warn("GetParametersByPath {} failed, secrets of gone instances stay: {}", options.secretsPath(), e.getMessage());
      return;
    }
    for (String name : names) {
      if (!parameters.containsValue(name) && !launching.contains(name)) {
        log.info("secrets parameter {} belongs to no running instance", name);
        deleteSecrets(name);
      }
    }
  }

  /** Closes the SDK clients only: instances keep running, with their secrets, so the next run can adopt them. */
  @Override
  public Future<Void> close() {
    if (!closed.compareAndSet(false, true)) {
      return Future.succeededFuture();
    }
    return vertx.executeBlocking(() -> {
      ec2.close();
      secrets.close();
      return null;
    }, false);
  }

  /**
   * Fills the template's {@code {{PLACEHOLDER}}}s in one pass, each with a single-quoted shell
   * word, so a value can neither break out of its assignment nor inject another placeholder.
   *
   * @throws IllegalArgumentException for an unknown placeholder or a value bash cannot hold
   */
  public static String renderUserData(String template, InstanceSpec spec, Ec2Options o) {
    return renderUserData(template, spec, o, "", o.region() == null ? "" : o.region());
  }

  /**
   * As {@link #renderUserData(String, InstanceSpec, Ec2Options)}, with the name of the parameter
   * that holds the spec's secrets ("" for none) and the region to read it in ("" for the image's
   * default). The secrets themselves are never part of user data.
   */
  public static String renderUserData(String template, InstanceSpec spec, Ec2Options o, String secretsParameter,
                                      String region) {
    Map<String, String> values = Map.of(
        "INSTANCE_ID", String.valueOf(spec.instanceId()),
        "BROKER_URL", String.valueOf(spec.brokerUrl()),
        "STORE_URL", String.valueOf(spec.storeUrl()),
        "CAPACITY", Integer.toString(spec.capacity()),
        "CLUSTER", o.cluster(),
        "APP_PORT", Integer.toString(o.appPort()),
        "SECRETS_PARAMETER", secretsParameter,
        "AWS_REGION", region,
        "TLS", Boolean.toString(spec.tls().enabled()),
        "ADVERTISE_ADDRESS", o.advertiseAddress());
    Matcher matcher = PLACEHOLDER.matcher(template);
    StringBuilder out = new StringBuilder(template.length() + 256);
    while (matcher.find()) {
      String value = values.get(matcher.group(1));
      if (value == null) {
        throw new IllegalArgumentException("user-data template has an unknown placeholder " + matcher.group());
      }
      matcher.appendReplacement(out, Matcher.quoteReplacement(shellQuote(value)));
    }
    matcher.appendTail(out);
    return out.toString();
  }

  /** Single quotes keep everything literal; an embedded quote is closed, escaped and reopened. */
  static String shellQuote(String value) {
    if (value.indexOf('\0') >= 0) {
      throw new IllegalArgumentException("a shell value cannot contain a NUL character");
    }
    return "'" + value.replace("'", "'\\''") + "'";
  }

  RunInstancesRequest runInstancesRequest(InstanceSpec spec, String userData) {
    byte[] script = userData.getBytes(StandardCharsets.UTF_8);
    if (script.length > USER_DATA_MAX_BYTES) {
      throw new IllegalArgumentException("user data is " + script.length + " bytes, EC2 takes at most " + USER_DATA_MAX_BYTES);
    }
    RunInstancesRequest.Builder request = RunInstancesRequest.builder()
        .minCount(1)
        .maxCount(1)
        .imageId(options.imageId())
        .instanceType(options.instanceType())
        .userData(Base64.getEncoder().encodeToString(script))
        .tagSpecifications(tags(ResourceType.INSTANCE, spec), tags(ResourceType.VOLUME, spec),
            tags(ResourceType.NETWORK_INTERFACE, spec));
    if (options.subnetId() != null) {
      request.subnetId(options.subnetId());
    }
    if (!options.securityGroupIds().isEmpty()) {
      request.securityGroupIds(options.securityGroupIds());
    }
    if (options.keyName() != null) {
      request.keyName(options.keyName());
    }
    if (options.instanceProfile() != null) {
      request.iamInstanceProfile(options.instanceProfileIsArn()
          ? IamInstanceProfileSpecification.builder().arn(options.instanceProfile()).build()
          : IamInstanceProfileSpecification.builder().name(options.instanceProfile()).build());
    }
    return request.build();
  }

  /** The classpath copy is what a deployed jar has; the file serves runs from the source tree. */
  static String loadTemplate() {
    ClassLoader loader = Ec2InstanceProvider.class.getClassLoader();
    try (InputStream in = loader.getResourceAsStream(USER_DATA_RESOURCE)) {
      if (in != null) {
        return new String(in.readAllBytes(), StandardCharsets.UTF_8);
      }
      if (Files.isReadable(USER_DATA_FILE)) {
        return Files.readString(USER_DATA_FILE, StandardCharsets.UTF_8);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the user-data template", e);
    }
    throw new IllegalStateException("user-data template not found as resource " + USER_DATA_RESOURCE
        + " nor as file " + USER_DATA_FILE.toAbsolutePath());
  }

  private String template() {
    String t = template;
    if (t == null) {
      t = loadTemplate();
      template = t;
    }
    return t;
  }

  /**
   * The instance's tags, also on its volume and network interface: a policy can then allow
   * RunInstances to create only what carries its cluster's tags (deploy/aws/login-role-policy.json).
   */
  private TagSpecification tags(ResourceType type, InstanceSpec spec) {
    return TagSpecification.builder()
        .resourceType(type)
        .tags(tag(TAG_CLUSTER, options.cluster()),
            tag(TAG_ROLE, ROLE_APP),
            tag(TAG_INSTANCE_ID, spec.instanceId()),
            tag(TAG_NAME, "chat-app-" + spec.instanceId()))
        .build();
  }

  private static Tag tag(String key, String value) {
    return Tag.builder().key(key).value(value).build();
  }

  private static String tagValue(List<Tag> tags, String key) {
    for (Tag tag : tags) {
      if (key.equals(tag.key())) {
        return tag.value();
      }
    }
    return null;
  }
}
