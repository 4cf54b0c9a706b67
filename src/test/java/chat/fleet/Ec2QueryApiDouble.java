package chat.fleet;

import com.sun.net.httpserver.HttpExchange;

import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A stand-in for the EC2 Query API on 127.0.0.1, good enough for the real AWS SDK: it parses the
 * form-encoded POSTs the SDK sends and answers with EC2's own XML shapes and error format.
 *
 * <p>It holds a small table of instances. A launched instance is {@code pending} in the
 * RunInstances answer and {@code running} from the next request on; a terminated one answers
 * {@code shutting-down} and stays listed as {@code terminated}, as EC2 keeps it for a while.
 * Unknown ids fail with HTTP 400 {@code InvalidInstanceID.NotFound}, like EC2.
 *
 * <p>Every request is recorded with all its parameters, so tests can assert what was sent.
 */
public final class Ec2QueryApiDouble extends AwsApiDouble<Ec2QueryApiDouble, Ec2QueryApiDouble.Call> {

  public static final String NAMESPACE = "http://ec2.amazonaws.com/doc/2016-11-15/";
  private static final String OWNER_ID = "123456789012";
  private static final Map<String, Integer> STATE_CODES = Map.of(
      "pending", 0, "running", 16, "shutting-down", 32, "terminated", 48, "stopping", 64, "stopped", 80);

  /** One API request as received: the action, every form parameter and the signing key id. */
  public record Call(String action, Map<String, String> params, String accessKeyId) {
    public String param(String name) {
      return params.get(name);
    }

    /** Values of {@code prefix.1}, {@code prefix.2}, ... in index order. */
    public List<String> list(String prefix) {
      return indexed(params, prefix);
    }
  }

  /** What a RunInstances call launched: the id, its tags and the user-data script, decoded. */
  public record Launch(String ec2InstanceId, Map<String, String> tags, String userData) { }

  private static final class Instance {
    final String id;
    final String reservationId;
    final String imageId;
    final String instanceType;
    final String subnetId;
    final String keyName;
    final List<String> securityGroupIds;
    final Map<String, String> tags;
    final Instant launchTime;
    String state;

    Instance(String id, String reservationId, String imageId, String instanceType, String subnetId,
             String keyName, List<String> securityGroupIds, Map<String, String> tags, String state) {
      this.id = id;
      this.reservationId = reservationId;
      this.imageId = imageId;
      this.instanceType = instanceType;
      this.subnetId = subnetId;
      this.keyName = keyName;
      this.securityGroupIds = List.copyOf(securityGroupIds);
      this.tags = Collections.unmodifiableMap(new LinkedHashMap<>(tags));
      this.launchTime = Instant.now().truncatedTo(ChronoUnit.MILLIS);
      this.state = state;
    }
  }

  private final SecureRandom random = new SecureRandom();
  private final Map<String, Instance> instances = new LinkedHashMap<>();
  private final List<Consumer<Launch>> launchHooks = new CopyOnWriteArrayList<>();
  private volatile int describePageSize = Integer.MAX_VALUE;

  public Ec2QueryApiDouble() {
    super("EC2", "The EC2 Query API", "text/xml;charset=UTF-8", "InternalError", Call::action);
  }

  /**
   * Called for each instance a RunInstances request launches, before the answer is sent, so a
   * test can boot a local process from the user data. A failing hook does not fail the request.
   */
  public Ec2QueryApiDouble onRunInstances(Consumer<Launch> hook) {
    launchHooks.add(hook);
    return this;
  }

  /**
   * Caps DescribeInstances pages even when the request sets no MaxResults, so a caller's
   * NextToken loop is exercised with only a few instances.
   */
  public Ec2QueryApiDouble describePageSize(int size) {
    if (size < 1) {
      throw new IllegalArgumentException("page size must be positive");
    }
    describePageSize = size;
    return this;
  }

  /** Seeds an instance as if launched earlier; returns its generated id. */
  public synchronized String preload(Map<String, String> tags, String state) {
    if (!STATE_CODES.containsKey(state)) {
      throw new IllegalArgumentException("unknown instance state " + state);
    }
    String id = newId("i-");
    instances.put(id, new Instance(id, newId("r-"), "ami-preloaded", "t3.micro", null, null, List.of(), tags, state));
    return id;
  }

  /** Current state name of an instance, if the double knows it. */
  public synchronized Optional<String> state(String ec2InstanceId) {
    return Optional.ofNullable(instances.get(ec2InstanceId)).map(i -> i.state);
  }

  /** Tags of an instance, if the double knows it. */
  public synchronized Optional<Map<String, String>> tags(String ec2InstanceId) {
    return Optional.ofNullable(instances.get(ec2InstanceId)).map(i -> i.tags);
  }

  // ---- request handling ----

  @Override
  String answer(HttpExchange exchange, String requestId) throws IOException {
    Map<String, String> params = parseForm(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
    String action = params.getOrDefault("Action", "");
    record(new Call(action, Collections.unmodifiableMap(params), accessKeyId(exchange)));
    if (!signed(exchange)) {
      throw new ApiError(401, "AuthFailure", "AWS was not able to validate the provided access credentials");
    }
    injectedFailure(action);
    return dispatch(action, params, requestId);
  }

  @Override
  String error(String code, String message, String requestId) {
    return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        + "<Response><Errors><Error><Code>" + xml(code) + "</Code><Message>" + xml(message) + "</Message></Error></Errors>"
        + "<RequestID>" + requestId + "</RequestID></Response>";
  }

  private String dispatch(String action, Map<String, String> params, String requestId) {
    List<Launch> launched = new ArrayList<>();
    String xml;
    synchronized (this) {
      // Whatever was launched by an earlier request has finished booting by now.
      instances.values().stream().filter(i -> i.state.equals("pending")).forEach(i -> i.state = "running");
      xml = switch (action) {
        case "RunInstances" -> runInstances(params, requestId, launched);
        case "DescribeInstances" -> describeInstances(params, requestId);
        case "TerminateInstances" -> terminateInstances(params, requestId);
        case "" -> throw new ApiError(400, "MissingAction", "The request must contain the parameter Action");
        default -> throw new ApiError(400, "InvalidAction", "The action " + action + " is not valid for this web service.");
      };
    }
    // Outside the lock, so a hook may call back into the double.
    for (Launch launch : launched) {
      for (Consumer<Launch> hook : launchHooks) {
        try {
          hook.accept(launch);
        } catch (RuntimeException e) {
          System.err.println("EC2 double: RunInstances hook failed: " + e);
        }
      }
    }
    return xml;
  }

  private String runInstances(Map<String, String> p, String requestId, List<Launch> launched) {
    int min = requiredInt(p, "MinCount");
    int max = requiredInt(p, "MaxCount");
    if (min < 1 || max < min) {
      throw new ApiError(400, "InvalidParameterValue", "Invalid MinCount/MaxCount: " + min + "/" + max);
    }
    String imageId = p.get("ImageId");
    if (imageId == null) {
      throw new ApiError(400, "MissingParameter", "The request must contain the parameter ImageId");
    }
    Map<String, String> tags = new LinkedHashMap<>();
    for (int s = 1; p.containsKey("TagSpecification." + s + ".ResourceType"); s++) {
      if ("instance".equals(p.get("TagSpecification." + s + ".ResourceType"))) {
        tags.putAll(tagPairs(p, "TagSpecification." + s + ".Tag"));
      }
    }
    String userData = p.get("UserData") == null ? null
        : new String(Base64.getDecoder().decode(p.get("UserData")), StandardCharsets.UTF_8);
    String instanceType = p.getOrDefault("InstanceType", "m1.small");
    String reservationId = newId("r-");
    StringBuilder items = new StringBuilder();
    for (int n = 0; n < max; n++) {
      Instance instance = new Instance(newId("i-"), reservationId, imageId, instanceType, p.get("SubnetId"),
          p.get("KeyName"), indexed(p, "SecurityGroupId"), tags, "pending");
      instances.put(instance.id, instance);
      launched.add(new Launch(instance.id, instance.tags, userData));
      instanceXml(items, instance, n);
    }
    return "<RunInstancesResponse xmlns=\"" + NAMESPACE + "\">"
        + "<requestId>" + requestId + "</requestId>"
        + "<reservationId>" + reservationId + "</reservationId>"
        + "<ownerId>" + OWNER_ID + "</ownerId>"
        + "<groupSet/>"
        + "<instancesSet>" + items + "</instancesSet>"
        + "</RunInstancesResponse>";
  }

  private String describeInstances(Map<String, String> p, String requestId) {
    List<String> ids = indexed(p, "InstanceId");
    for (String id : ids) {
      if (!instances.containsKey(id)) {
        throw notFound(id);
      }
    }
    Map<String, List<String>> filters = new LinkedHashMap<>();
    for (int f = 1; p.containsKey("Filter." + f + ".Name"); f++) {
      filters.put(p.get("Filter." + f + ".Name"), indexed(p, "Filter." + f + ".Value"));
    }
    List<Instance> matching = instances.values().stream()
        .filter(i -> ids.isEmpty() || ids.contains(i.id))
        .filter(i -> filters.entrySet().stream().allMatch(f -> matches(i, f.getKey(), f.getValue())))
        .toList();
    int pageSize = describePageSize;
    if (p.containsKey("MaxResults")) {
      pageSize = Math.min(pageSize, requiredInt(p, "MaxResults"));
    }
    int from = 0;
    if (p.containsKey("NextToken")) {
      try {
        from = pageStart(p.get("NextToken"));
      } catch (IllegalArgumentException e) {
        throw new ApiError(400, "InvalidParameterValue", "Invalid NextToken");
      }
    }
    int to = (int) Math.min(matching.size(), (long) from + pageSize);
    StringBuilder reservations = new StringBuilder();
    for (Instance instance : matching.subList(Math.min(from, to), to)) {
      reservations.append("<item>")
          .append("<reservationId>").append(instance.reservationId).append("</reservationId>")
          .append("<ownerId>").append(OWNER_ID).append("</ownerId>")
          .append("<groupSet/>")
          .append("<instancesSet>");
      instanceXml(reservations, instance, 0);
      reservations.append("</instancesSet></item>");
    }
    String nextToken = to < matching.size()
        ? "<nextToken>" + pageToken(to) + "</nextToken>"
        : "";
    return "<DescribeInstancesResponse xmlns=\"" + NAMESPACE + "\">"
        + "<requestId>" + requestId + "</requestId>"
        + "<reservationSet>" + reservations + "</reservationSet>"
        + nextToken
        + "</DescribeInstancesResponse>";
  }

  private String terminateInstances(Map<String, String> p, String requestId) {
    List<String> ids = indexed(p, "InstanceId");
    if (ids.isEmpty()) {
      throw new ApiError(400, "MissingParameter", "The request must contain the parameter InstanceId");
    }
    // EC2 rejects the whole request when any id is unknown, before changing anything.
    for (String id : ids) {
      if (!instances.containsKey(id)) {
        throw notFound(id);
      }
    }
    StringBuilder items = new StringBuilder();
    for (String id : ids) {
      Instance instance = instances.get(id);
      String previous = instance.state;
      String current = previous.equals("terminated") ? "terminated" : "shutting-down";
      instance.state = "terminated";
      items.append("<item>")
          .append("<instanceId>").append(id).append("</instanceId>")
          .append("<currentState>").append(stateXml(current)).append("</currentState>")
          .append("<previousState>").append(stateXml(previous)).append("</previousState>")
          .append("</item>");
    }
    return "<TerminateInstancesResponse xmlns=\"" + NAMESPACE + "\">"
        + "<requestId>" + requestId + "</requestId>"
        + "<instancesSet>" + items + "</instancesSet>"
        + "</TerminateInstancesResponse>";
  }

  /** The filters this double understands; EC2 also rejects names it does not know. */
  private static boolean matches(Instance i, String name, List<String> values) {
    if (name.startsWith("tag:")) {
      String value = i.tags.get(name.substring(4));
      return value != null && values.contains(value);
    }
    return switch (name) {
      case "tag-key" -> values.stream().anyMatch(i.tags::containsKey);
      case "instance-state-name" -> values.contains(i.state);
      case "instance-id" -> values.contains(i.id);
      case "image-id" -> values.contains(i.imageId);
      case "instance-type" -> values.contains(i.instanceType);
      default -> throw new ApiError(400, "InvalidParameterValue", "The filter '" + name + "' is invalid");
    };
  }

  private static void instanceXml(StringBuilder out, Instance i, int launchIndex) {
    out.append("<item>")
        .append("<instanceId>").append(i.id).append("</instanceId>")
        .append("<imageId>").append(xml(i.imageId)).append("</imageId>")
        .append("<instanceState>").append(stateXml(i.state)).append("</instanceState>")
        .append("<privateDnsName>ip-127-0-0-1.ec2.internal</privateDnsName>")
        .append("<dnsName/>")
        .append("<reason/>");
    if (i.keyName != null) {
      out.append("<keyName>").append(xml(i.keyName)).append("</keyName>");
    }
    out.append("<amiLaunchIndex>").append(launchIndex).append("</amiLaunchIndex>")
        .append("<productCodes/>")
        .append("<instanceType>").append(xml(i.instanceType)).append("</instanceType>")
        .append("<launchTime>").append(i.launchTime).append("</launchTime>")
        .append("<placement><availabilityZone>us-east-1a</availabilityZone><groupName/><tenancy>default</tenancy></placement>")
        .append("<monitoring><state>disabled</state></monitoring>");
    if (i.subnetId != null) {
      out.append("<subnetId>").append(xml(i.subnetId)).append("</subnetId>")
          .append("<vpcId>vpc-0a1b2c3d4e5f60718</vpcId>");
    }
    out.append("<privateIpAddress>127.0.0.1</privateIpAddress>")
        .append("<groupSet>");
    for (String group : i.securityGroupIds) {
      out.append("<item><groupId>").append(xml(group)).append("</groupId><groupName>").append(xml(group))
          .append("</groupName></item>");
    }
    out.append("</groupSet>")
        .append("<architecture>x86_64</architecture>")
        .append("<rootDeviceType>ebs</rootDeviceType>")
        .append("<rootDeviceName>/dev/xvda</rootDeviceName>")
        .append("<blockDeviceMapping/>")
        .append("<virtualizationType>hvm</virtualizationType>")
        .append("<tagSet>");
    i.tags.forEach((k, v) -> out.append("<item><key>").append(xml(k)).append("</key><value>").append(xml(v))
        .append("</value></item>"));
    out.append("</tagSet>")
        .append("<hypervisor>xen</hypervisor>")
        .append("<networkInterfaceSet/>")
        .append("<ebsOptimized>false</ebsOptimized>")
        .append("</item>");
  }

  private static String stateXml(String state) {
    return "<code>" + STATE_CODES.get(state) + "</code><name>" + state + "</name>";
  }

  private static ApiError notFound(String id) {
    return new ApiError(400, "InvalidInstanceID.NotFound", "The instance ID '" + id + "' does not exist");
  }

  // ---- parameter helpers ----

  /** Form bodies keep their order, which makes recorded calls easier to read. */
  private static Map<String, String> parseForm(String body) {
    Map<String, String> params = new LinkedHashMap<>();
    if (body.isEmpty()) {
      return params;
    }
    for (String pair : body.split("&")) {
      int eq = pair.indexOf('=');
      String key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
      String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
      params.put(key, value);
    }
    return params;
  }

  /** Values of {@code prefix.N} for N = 1, 2, ... sorted by N, as the Query protocol numbers lists. */
  static List<String> indexed(Map<String, String> params, String prefix) {
    Pattern item = Pattern.compile(Pattern.quote(prefix) + "\\.(\\d+)");
    TreeMap<Integer, String> byIndex = new TreeMap<>();
    params.forEach((key, value) -> {
      Matcher m = item.matcher(key);
      if (m.matches()) {
        byIndex.put(Integer.parseInt(m.group(1)), value);
      }
    });
    return List.copyOf(byIndex.values());
  }

  private static Map<String, String> tagPairs(Map<String, String> params, String prefix) {
    Map<String, String> tags = new LinkedHashMap<>();
    for (int t = 1; params.containsKey(prefix + "." + t + ".Key"); t++) {
      tags.put(params.get(prefix + "." + t + ".Key"), params.getOrDefault(prefix + "." + t + ".Value", ""));
    }
    return tags;
  }

  private static int requiredInt(Map<String, String> params, String name) {
    String value = params.get(name);
    if (value == null) {
      throw new ApiError(400, "MissingParameter", "The request must contain the parameter " + name);
    }
    try {
      return Integer.parseInt(value);
    } catch (NumberFormatException e) {
      throw new ApiError(400, "InvalidParameterValue", "Value (" + value + ") for parameter " + name + " is invalid");
    }
  }

  private String newId(String prefix) {
    StringBuilder id = new StringBuilder(prefix).append('0');
    for (int n = 0; n < 16; n++) {
      id.append(Character.forDigit(random.nextInt(16), 16));
    }
    return id.toString();
  }

  private static String xml(String value) {
    if (value == null) {
      return "";
    }
    StringBuilder out = new StringBuilder(value.length());
    for (char c : value.toCharArray()) {
      switch (c) {
        case '<' -> out.append("&lt;");
        case '>' -> out.append("&gt;");
        case '&' -> out.append("&amp;");
        case '"' -> out.append("&quot;");
        case '\'' -> out.append("&apos;");
        default -> out.append(c);
      }
    }
    return out.toString();
  }
}
