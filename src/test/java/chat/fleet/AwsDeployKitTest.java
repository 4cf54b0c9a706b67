package chat.fleet;

import chat.config.ChatConfig;
import chat.support.Conditions;
import chat.support.RunningService;
import chat.support.Wire;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The AWS deploy kit ({@code deploy/aws}) checked offline. The CloudFormation template and the
 * two policies parse and agree with each other; the login machine's user data, rendered from the
 * template's parameters as CloudFormation would, writes a configuration with which the real login
 * role starts an application instance through the EC2 and SSM doubles, and that instance boots
 * from its own user data as in {@link FleetEc2EndToEndTest}. Every call that run makes is then
 * checked against the policies: each action the code calls is named, nothing else is, and each
 * request (with its resources, tags and instance profile) is one the policy allows, while the same
 * request for another cluster is not.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class AwsDeployKitTest {

  private static final Path KIT = Path.of("deploy", "aws");
  private static final String REGION = AwsDoubles.REGION;
  /** The account the EC2 double answers as its owner. */
  private static final String ACCOUNT = "123456789012";
  private static final String LOGIN_ACCESS_KEY = "AKIDLOGINROLE0000001";
  private static final String INSTANCE_ACCESS_KEY = "AKIDAPPINSTANCEROLE1";
  private static final String CLUSTER = "kit";
  private static final String PREFIX = "chat-kit";
  private static final String IMAGE = "ami-0kit00000000000001";
  private static final String APP_TYPE = "t3.small";
  private static final String SUBNET = "subnet-0kit0000000000001";
  private static final String APP_GROUP = "sg-0kitapp000000000001";
  private static final String APP_PROFILE = "chat-AppInstanceProfile-KIT1";
  private static final String APP_ROLE_ARN = "arn:aws:iam::" + ACCOUNT + ":role/chat-AppRole-KIT1";
  /** Calls AWS authorizes without being API operations of their own. */
  private static final Set<String> IMPLIED = Set.of("ec2:CreateTags", "iam:PassRole");
  /** Actions AWS only authorizes on "*" (no resource-level permissions). */
  private static final Set<String> WITHOUT_RESOURCES = Set.of("ec2:DescribeInstances");

  @TempDir
  Path tmp;
  @RegisterExtension
  final AwsDoubles aws = new AwsDoubles(LOGIN_ACCESS_KEY);

  private BootedMachines machines;
  private RunningService service;

  @AfterEach
  void stopEverything() throws Exception {
    if (machines != null) {
      machines.close();
    }
    if (service != null) {
      service.close();
    }
  }

  // ---- the files parse and agree ----

  @Test
  void templateNamesOnlyParametersResourcesAndConditionsItDeclares() throws IOException {
    JsonObject template = template();
    assertEquals("2010-09-09", template.getString("AWSTemplateFormatVersion"));
    Set<String> parameters = template.getJsonObject("Parameters").fieldNames();
    Set<String> resources = template.getJsonObject("Resources").fieldNames();
    Set<String> conditions = template.getJsonObject("Conditions").fieldNames();
    List<String> problems = new ArrayList<>();
    walk(template.getJsonObject("Resources"), node -> {
      if (node.containsKey("Ref")) {
        String name = node.getString("Ref");
        if (!parameters.contains(name) && !resources.contains(name) && !name.startsWith("AWS::")) {
          problems.add("Ref " + name);
        }
      }
      if (node.containsKey("Fn::Sub")) {
        for (String name : subVariables(node.getString("Fn::Sub"))) {
          String target = name.contains(".") ? name.substring(0, name.indexOf('.')) : name;
          if (!parameters.contains(target) && !resources.contains(target) && !name.startsWith("AWS::")) {
            problems.add("${" + name + "}");
          }
        }
      }
      if (node.containsKey("Fn::If") && !conditions.contains(node.getJsonArray("Fn::If").getString(0))) {
        problems.add("condition " + node.getJsonArray("Fn::If").getString(0));
      }
    });
    template.getJsonObject("Resources").forEach(e -> {
      JsonObject resource = (JsonObject) e.getValue();
      assertNotNull(resource.getString("Type"), e.getKey());
      if (resource.containsKey("Condition") && !conditions.contains(resource.getString("Condition"))) {
        problems.add(e.getKey() + ": condition " + resource.getString("Condition"));
      }
      if (resource.containsKey("DependsOn") && !resources.contains(resource.getString("DependsOn"))) {
        problems.add(e.getKey() + ": DependsOn " + resource.getString("DependsOn"));
      }
    });
    assertEquals(List.of(), problems, "names the template does not declare");
    // nothing secret is a parameter of the stack: the login role generates its own secrets
    template.getJsonObject("Parameters").forEach(e ->
        assertNull(((JsonObject) e.getValue()).getValue("NoEcho"), e.getKey() + " is a secret parameter"));
  }

  @Test
  void templateRolesCarryExactlyThePolicyFilesOfTheKit() throws IOException {
    JsonObject resources = template().getJsonObject("Resources");
    assertEquals(readJson(KIT.resolve("login-role-policy.json")), rolePolicy(resources, "LoginRole"));
    assertEquals(readJson(KIT.resolve("app-role-policy.json")), rolePolicy(resources, "AppRole"));
    JsonArray appRoles = resources.getJsonObject("AppInstanceProfile").getJsonObject("Properties").getJsonArray("Roles");
    assertEquals(new JsonArray().add(new JsonObject().put("Ref", "AppRole")), appRoles,
        "the profile the login role hands to instances holds the role it may pass");
  }

  @Test
  void everyResourceIsScopedToTheClusterWhereAwsAllowsIt() throws IOException {
    for (String file : List.of("login-role-policy.json", "app-role-policy.json")) {
      for (Object item : readJson(KIT.resolve(file)).getJsonArray("Statement")) {
        JsonObject s = (JsonObject) item;
        String where = file + " " + s.getString("Sid");
        List<String> actions = strings(s.getValue("Action"));
        List<String> arns = strings(s.getValue("Resource"));
        JsonObject condition = s.getJsonObject("Condition", new JsonObject());
        actions.forEach(a -> assertFalse(a.contains("*"), where + ": a wildcard action " + a));
        for (String arn : arns) {
          if (arn.equals("*")) {
            assertTrue(WITHOUT_RESOURCES.containsAll(actions), where + ": * for actions that take resources");
          } else if (arn.matches(".*:ec2:.*:(instance|volume|network-interface)/\\*")) {
            String key = actions.contains("ec2:TerminateInstances") ? "aws:ResourceTag/cluster" : "aws:RequestTag/cluster";
            assertEquals("${Cluster}", condition.getJsonObject("StringEquals", new JsonObject()).getString(key),
                where + ": " + arn + " without " + key);
          } else if (arn.contains(":ssm:")) {
            assertTrue(arn.matches(".*:parameter/\\$\\{SecretsPrefix}/\\$\\{Cluster}(/\\*)?"),
                where + ": a parameter outside the cluster's path: " + arn);
          } else {
            // one image, one subnet, one security group, one role: named, not wildcards
            assertFalse(arn.contains("*"), where + ": " + arn);
          }
        }
      }
    }
  }

  @Test
  void securityGroupsOpenOnlyTheClientPortsToClientsAndTheRestOnlyToTheServicesOwnMachines() throws IOException {
    JsonObject resources = template().getJsonObject("Resources");
    Map<String, Object> client = new LinkedHashMap<>();
    List<String> between = new ArrayList<>();
    resources.forEach(e -> {
      JsonObject r = (JsonObject) e.getValue();
      JsonObject p = r.getJsonObject("Properties");
      List<JsonObject> rules = new ArrayList<>();
      if (r.getString("Type").equals("AWS::EC2::SecurityGroup")) {
        p.getJsonArray("SecurityGroupIngress").forEach(o -> rules.add(((JsonObject) o).copy().put("GroupId", e.getKey())));
        assertFalse(p.getJsonArray("SecurityGroupEgress", new JsonArray()).isEmpty(),
            e.getKey() + " states its egress, else AWS allows all of it");
      } else if (r.getString("Type").equals("AWS::EC2::SecurityGroupIngress")) {
        rules.add(p.copy().put("GroupId", p.getJsonObject("GroupId").getString("Ref")).put("Condition", r.getString("Condition")));
      }
      for (JsonObject rule : rules) {
        String to = rule.getString("GroupId") + ":" + portName(rule.getValue("FromPort"));
        assertEquals(rule.getValue("FromPort"), rule.getValue("ToPort"), "one port per rule: " + rule);
        assertEquals("tcp", rule.getString("IpProtocol"), rule.encode());
        if (rule.containsKey("SourceSecurityGroupId")) {
          between.add(rule.getJsonObject("SourceSecurityGroupId").getString("Ref") + "->" + to);
        } else if (new JsonObject().put("Ref", "ClientCidr").equals(rule.getValue("CidrIp"))) {
          client.put(to, "clients");
        } else if (new JsonObject().put("Ref", "OperatorCidr").equals(rule.getValue("CidrIp"))) {
          assertEquals("HasOperatorCidr", rule.getString("Condition"), "SSH only when an operator range is given");
          client.put(to, "operators");
        } else if (new JsonObject().put("Fn::Sub", "${LoginAddress}/32").equals(rule.getValue("CidrIp"))) {
          between.add("LoginAddress->" + to);
        } else {
          fail("a rule open to something else: " + rule.encode());
        }
      }
    });
    assertEquals(Map.of("LoginSecurityGroup:ClientPort", "clients", "LoginSecurityGroup:5672", "clients",
        "AppSecurityGroup:AppPort", "clients", "LoginSecurityGroup:22", "operators"), client);
    assertEquals(new TreeSet<>(List.of("AppSecurityGroup->LoginSecurityGroup:9001",
        "AppSecurityGroup->LoginSecurityGroup:5672", "LoginSecurityGroup->AppSecurityGroup:AppPort",
        "LoginAddress->AppSecurityGroup:AppPort")), new TreeSet<>(between));
  }

  /** The source of every SDK call the login and app roles make, read as the policies must name them. */
  @Test
  void policiesNameEverySdkCallOfTheProviderAndTheSecretStore() throws IOException {
    Set<String> inSource = sdkCallsInSource();
    assertEquals(Set.of("ec2:RunInstances", "ec2:DescribeInstances", "ec2:TerminateInstances", "ssm:PutParameter",
        "ssm:AddTagsToResource", "ssm:GetParameter", "ssm:DeleteParameter", "ssm:GetParametersByPath"), inSource,
        "a call added to the code needs its place in deploy/aws/*-policy.json and in this list");
    Set<String> named = new TreeSet<>(policy("login-role-policy.json").actions());
    named.addAll(policy("app-role-policy.json").actions());
    named.removeAll(IMPLIED);
    assertEquals(new TreeSet<>(inSource), named, "the policies name exactly the calls in the code");
  }

  /**
   * The login unit's start ends once the role is ready: its readiness check asks the admin
   * listener the stack's user data configures, and returns when the role {@code adminPort}
   * listens on is ready (it runs with the system's curl, not the user data's stand-in).
   */
  private void assertUnitWaitsForReadiness(JsonObject written, int adminPort) throws Exception {
    List<String> unit = Files.readAllLines(KIT.resolve("image").resolve("chat-login.service"));
    String readyPort = unit.stream().filter(l -> l.startsWith("Environment=READY_PORT=")).findFirst().orElseThrow()
        .substring("Environment=READY_PORT=".length());
    JsonObject admin = written.getJsonObject("admin");
    assertEquals("127.0.0.1", admin.getString("host"), "the admin listener stays on loopback");
    assertEquals(readyPort, String.valueOf(admin.getInteger("port")), "the unit asks the port the user data sets");
    String check = unit.stream().filter(l -> l.startsWith("ExecStartPost=")).findFirst().orElseThrow()
        .substring("ExecStartPost=".length());
    ProcessBuilder ready = new ProcessBuilder("/bin/sh", "-c", check).redirectErrorStream(true);
    ready.environment().put("READY_PORT", String.valueOf(adminPort));
    Process p = ready.start();
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the readiness check returns once the login role is ready");
    assertEquals(0, p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
  }

  // ---- the template's user data boots the fleet, and the policies allow exactly what it calls ----

  @Test
  void userDataFromTheTemplateStartsTheLoginRoleWhoseCallsThePoliciesAllowExactly() throws Exception {
    Ec2QueryApiDouble ec2 = aws.ec2();
    SsmJsonApiDouble ssm = aws.ssm();
    int appPort = BootedMachines.freePort();
    Map<String, String> stack = stackValues(appPort);

    // First boot of the login machine, as cloud-init would run it.
    String userData = sub(loginUserData(), stack);
    Path etc = Files.createDirectories(tmp.resolve("etc"));
    Path bin = Files.createDirectories(tmp.resolve("login-bin"));
    Path systemctlLog = tmp.resolve("systemctl.log");
    executable(bin.resolve("systemctl"), "#!/bin/bash\nprintf '%s\\n' \"$*\" >> '" + systemctlLog + "'\n");
    executable(bin.resolve("curl"), "#!/bin/bash\nexit 7\n");
    ProcessBuilder boot = new ProcessBuilder("bash", Files.writeString(tmp.resolve("login-user-data.sh"), userData).toString())
        .redirectErrorStream(true);
    boot.environment().put("PATH", bin + ":" + boot.environment().get("PATH"));
    boot.environment().put("CHAT_CONFIG_DIR", etc.toString());
    boot.environment().put("CHAT_ADVERTISE_HOST", "127.0.0.1");
    Process login = boot.start();
    String bootOutput = new String(login.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(login.waitFor(20, TimeUnit.SECONDS));
    assertEquals(0, login.exitValue(), bootOutput);
    assertEquals(List.of("enable --now chat-login.service"), Files.readAllLines(systemctlLog));
    assertTrue(Files.isRegularFile(KIT.resolve("image").resolve("chat-login.service")), "the image holds that unit");
    assertTrue(Files.readString(KIT.resolve("image").resolve("chat-login.service"))
        .contains("--role=login --config /etc/chat/chat.json"), "the unit reads the file the user data writes");
    Path configFile = etc.resolve("chat.json");
    JsonObject written = readJson(configFile);
    assertEquals("ec2", written.getJsonObject("fleet").getString("provider"));
    assertEquals("127.0.0.1", written.getJsonObject("fleet").getString("advertiseHost"));

    // The login role with that file; only what a test machine needs differs (loopback, free ports,
    // its data directory, the doubles' endpoints, a short grace).
    Map<String, String> local = new LinkedHashMap<>();
    local.put("host", "127.0.0.1");
    local.put("port", "0");
    local.put("dataDir", tmp.resolve("login").toString());
    local.put("store.host", "127.0.0.1");
    local.put("store.port", "0");
    local.put("broker.host", "127.0.0.1");
    local.put("broker.amqpPort", "0");
    local.put("broker.stompPort", "0");
    local.put("passwords.memoryKiB", "1024");
    local.put("passwords.iterations", "1");
    local.put("fleet.graceSeconds", "2");
    local.put("fleet.startTimeoutSeconds", "40");
    int adminPort = BootedMachines.freePort();
    local.put("admin.port", String.valueOf(adminPort));
    local.put("fleet.ec2.endpointOverride", ec2.endpoint().toString());
    local.put("fleet.ec2.ssmEndpointOverride", ssm.endpoint().toString());
    ChatConfig config = ChatConfig.load(configFile, Map.of(), local);
    ssm.preload("/" + PREFIX + "/" + CLUSTER + "/app-gone", "SecureString", "{}");
    machines = new BootedMachines(tmp);
    Path jar = Files.writeString(tmp.resolve("chat.jar"), "not a jar: the stand-in java runs the test classpath");
    Path appBin = BootedMachines.standInJava(tmp.resolve("bin")).getParent();
    ec2.onRunInstances(launch -> machines.boot(launch.ec2InstanceId(), launch.userData(), jar, appBin,
        env -> aws.instanceEnvironment(env, INSTANCE_ACCESS_KEY, machines.dir(launch.ec2InstanceId()))));
    service = RunningService.start(config);
    int loginPort = service.loginPort();
    assertUnitWaitsForReadiness(written, adminPort);

    assertEquals(0, Wire.reference(loginPort, "register kit pw").getInteger("status"));
    JsonObject reply = BootedMachines.request(loginPort, "login kit pw", 50_000);
    assertEquals(0, reply.getInteger("status"), () -> reply.encode() + "\nboot failures: " + machines.failures()
        + "\n" + machines.all().keySet().stream().map(id -> "--- " + id + ":\n" + machines.bootLog(id))
        .collect(Collectors.joining("\n")));
    assertEquals(appPort, reply.getJsonObject("server").getInteger("port"), "the stack's AppPort");
    String token = reply.getString("token");
    assertEquals(0, Wire.reference(appPort, "post " + token + " from-the-kit").getInteger("status"));

    List<Ec2QueryApiDouble.Call> runs = ec2.calls("RunInstances");
    assertEquals(1, runs.size());
    String ec2Id = machines.all().keySet().iterator().next();
    String appUserData = Files.readString(machines.dir(ec2Id).resolve("user-data.sh"));
    assertTrue(appUserData.contains("ADVERTISE_ADDRESS='public'\n"), appUserData);
    assertTrue(appUserData.contains("CLUSTER='" + CLUSTER + "'\n"), appUserData);
    Map<String, String> instanceTags = ec2.tags(ec2Id).orElseThrow();
    String parameter = "/" + PREFIX + "/" + CLUSTER + "/" + instanceTags.get("chat:instance-id");

    // Nothing secret in what the stack or the user data carries.
    for (String name : List.of("store-admin", "store-app", "broker-login", "broker-app", "fleet-key")) {
      String secret = service.secret(name);
      for (String text : List.of(userData, Files.readString(configFile), appUserData, Files.readString(KIT.resolve("chat-login.json")))) {
        assertFalse(text.contains(secret), name + " is in the stack's files or user data");
      }
    }

    // The last user gone, the instance is terminated and its secrets deleted.
    assertEquals(0, Wire.reference(loginPort, "delete " + token).getInteger("status"));
    Conditions.await("the instance terminated and its parameter deleted", 30_000,
        () -> ec2.state(ec2Id).orElse("").equals("terminated") && ssm.parameter(parameter).isEmpty());
    BootedMachines.kill(machines.all().get(ec2Id)); // as EC2 powers a terminated machine off
    assertTrue(ssm.parameter("/" + PREFIX + "/" + CLUSTER + "/app-gone").isEmpty(), "the orphaned parameter went at start-up");
    service.close();

    // What was called, by whom, and whether each policy allows it.
    IamPolicy loginPolicy = new IamPolicy(resolved("login-role-policy.json", stack));
    IamPolicy appPolicy = new IamPolicy(resolved("app-role-policy.json", stack));
    List<IamPolicy.Request> byLogin = new ArrayList<>();
    List<IamPolicy.Request> byInstance = new ArrayList<>();
    for (Ec2QueryApiDouble.Call call : ec2.calls()) {
      assertEquals(LOGIN_ACCESS_KEY, call.accessKeyId(), "only the login role calls EC2");
      byLogin.addAll(authorizations(call, ec2));
    }
    for (SsmJsonApiDouble.Call call : ssm.calls()) {
      List<IamPolicy.Request> requests = authorizations(call);
      if (call.accessKeyId().equals(INSTANCE_ACCESS_KEY)) {
        byInstance.addAll(requests);
      } else {
        assertEquals(LOGIN_ACCESS_KEY, call.accessKeyId());
        byLogin.addAll(requests);
      }
    }
    assertEquals(Set.of("ssm:GetParameter"), actions(byInstance), "the instance only reads its secrets");
    assertEquals(loginPolicy.actions(), actions(byLogin), "the login policy names exactly what the login role calls");
    assertEquals(appPolicy.actions(), actions(byInstance), "the app policy names exactly what an instance calls");
    assertEquals(sdkCallsInSource(), Stream.concat(byLogin.stream(), byInstance.stream()).map(IamPolicy.Request::action)
        .filter(a -> !IMPLIED.contains(a)).collect(Collectors.toSet()), "the run made every call the code has");
    byLogin.forEach(r -> assertTrue(loginPolicy.allows(r), "the login policy refuses " + r));
    byInstance.forEach(r -> assertTrue(appPolicy.allows(r), "the app policy refuses " + r));
    assertFalse(loginPolicy.allows(byInstance.get(0)), "the login role cannot read instances' secrets");

    // The same requests for anything that is not this cluster's app are refused.
    for (IamPolicy.Request r : byLogin) {
      for (IamPolicy.Request other : strangers(r)) {
        assertFalse(loginPolicy.allows(other), "the login policy allows " + other);
      }
    }
    for (IamPolicy.Request r : byInstance) {
      for (IamPolicy.Request other : strangers(r)) {
        assertFalse(appPolicy.allows(other), "the app policy allows " + other);
      }
    }
  }

  // ---- authorizations: what AWS checks for each recorded call ----

  private static List<IamPolicy.Request> authorizations(Ec2QueryApiDouble.Call call, Ec2QueryApiDouble ec2) {
    String arn = "arn:aws:ec2:" + REGION + ":" + ACCOUNT + ":";
    List<IamPolicy.Request> out = new ArrayList<>();
    switch (call.action()) {
      case "RunInstances" -> {
        Map<String, Map<String, String>> tagged = new LinkedHashMap<>();
        for (int s = 1; call.param("TagSpecification." + s + ".ResourceType") != null; s++) {
          tagged.put(call.param("TagSpecification." + s + ".ResourceType"), tagPairs(call, "TagSpecification." + s + ".Tag"));
        }
        String profile = call.param("IamInstanceProfile.Arn") != null ? call.param("IamInstanceProfile.Arn")
            : "arn:aws:iam::" + ACCOUNT + ":instance-profile/" + call.param("IamInstanceProfile.Name");
        Map<String, List<String>> instance = tagContext(tagged.getOrDefault("instance", Map.of()));
        instance.put("ec2:InstanceType", List.of(call.param("InstanceType")));
        instance.put("ec2:InstanceProfile", List.of(profile));
        out.add(new IamPolicy.Request("ec2:RunInstances", arn + "instance/i-0new", instance));
        out.add(new IamPolicy.Request("ec2:RunInstances", arn + "volume/vol-0new",
            tagContext(tagged.getOrDefault("volume", Map.of()))));
        out.add(new IamPolicy.Request("ec2:RunInstances", arn + "network-interface/eni-0new",
            tagContext(tagged.getOrDefault("network-interface", Map.of()))));
        out.add(new IamPolicy.Request("ec2:RunInstances", "arn:aws:ec2:" + REGION + "::image/" + call.param("ImageId"), Map.of()));
        out.add(new IamPolicy.Request("ec2:RunInstances", arn + "subnet/" + call.param("SubnetId"), Map.of()));
        call.list("SecurityGroupId").forEach(g ->
            out.add(new IamPolicy.Request("ec2:RunInstances", arn + "security-group/" + g, Map.of())));
        if (call.param("KeyName") != null) {
          out.add(new IamPolicy.Request("ec2:RunInstances", arn + "key-pair/" + call.param("KeyName"), Map.of()));
        }
        tagged.forEach((type, tags) -> {
          Map<String, List<String>> context = tagContext(tags);
          context.put("ec2:CreateAction", List.of("RunInstances"));
          String id = switch (type) {
            case "instance" -> "instance/i-0new";
            case "volume" -> "volume/vol-0new";
            default -> type + "/eni-0new";
          };
          out.add(new IamPolicy.Request("ec2:CreateTags", arn + id, context));
        });
        // the role inside the profile the instance gets
        assertEquals(APP_PROFILE, call.param("IamInstanceProfile.Name"), "the stack's app profile");
        out.add(new IamPolicy.Request("iam:PassRole", APP_ROLE_ARN,
            Map.of("iam:PassedToService", List.of("ec2.amazonaws.com"))));
      }
      case "DescribeInstances" -> out.add(new IamPolicy.Request("ec2:DescribeInstances", "*", Map.of()));
      case "TerminateInstances" -> {
        for (String id : call.list("InstanceId")) {
          Map<String, List<String>> context = new HashMap<>();
          ec2.tags(id).orElse(Map.of()).forEach((k, v) -> context.put("aws:ResourceTag/" + k, List.of(v)));
          out.add(new IamPolicy.Request("ec2:TerminateInstances", arn + "instance/" + id, context));
        }
      }
      default -> fail("a call the kit does not know: " + call.action());
    }
    return out;
  }

  private static List<IamPolicy.Request> authorizations(SsmJsonApiDouble.Call call) {
    JsonObject body = call.body();
    String name = switch (call.operation()) {
      case "AddTagsToResource" -> body.getString("ResourceId");
      case "GetParametersByPath" -> body.getString("Path");
      default -> body.getString("Name");
    };
    Map<String, List<String>> context = new HashMap<>();
    JsonArray tags = body.getJsonArray("Tags", new JsonArray());
    Map<String, String> pairs = new LinkedHashMap<>();
    tags.forEach(t -> pairs.put(((JsonObject) t).getString("Key"), ((JsonObject) t).getString("Value")));
    context.putAll(tagContext(pairs));
    return List.of(new IamPolicy.Request("ssm:" + call.operation(),
        "arn:aws:ssm:" + REGION + ":" + ACCOUNT + ":parameter" + (name.startsWith("/") ? name : "/" + name), context));
  }

  /** The same request aimed at another cluster, at a machine that is not an app instance, or beyond the stack's choices. */
  private static List<IamPolicy.Request> strangers(IamPolicy.Request r) {
    List<IamPolicy.Request> out = new ArrayList<>();
    if (r.resource().contains("/" + PREFIX + "/" + CLUSTER)) {
      out.add(new IamPolicy.Request(r.action(), r.resource().replace("/" + PREFIX + "/" + CLUSTER, "/" + PREFIX + "/other"),
          r.context()));
    }
    for (String key : List.of("aws:RequestTag/cluster", "aws:ResourceTag/cluster")) {
      if (r.context().containsKey(key)) {
        Map<String, List<String>> other = new HashMap<>(r.context());
        other.put(key, List.of("other"));
        out.add(new IamPolicy.Request(r.action(), r.resource(), other));
      }
    }
    for (String key : List.of("aws:RequestTag/role", "aws:ResourceTag/role")) {
      if (r.context().containsKey(key)) {
        Map<String, List<String>> login = new HashMap<>(r.context());
        login.put(key, List.of("login"));
        out.add(new IamPolicy.Request(r.action(), r.resource(), login));
      }
    }
    if (r.context().containsKey("aws:TagKeys")) {
      Map<String, List<String>> extra = new HashMap<>(r.context());
      List<String> keys = new ArrayList<>(extra.get("aws:TagKeys"));
      keys.add("owner");
      extra.put("aws:TagKeys", keys);
      out.add(new IamPolicy.Request(r.action(), r.resource(), extra));
    }
    if (r.context().containsKey("ec2:InstanceType")) {
      Map<String, List<String>> big = new HashMap<>(r.context());
      big.put("ec2:InstanceType", List.of("p5.48xlarge"));
      out.add(new IamPolicy.Request(r.action(), r.resource(), big));
      Map<String, List<String>> profile = new HashMap<>(r.context());
      profile.put("ec2:InstanceProfile", List.of("arn:aws:iam::" + ACCOUNT + ":instance-profile/admin"));
      out.add(new IamPolicy.Request(r.action(), r.resource(), profile));
    }
    if (r.context().containsKey("ec2:CreateAction")) {
      Map<String, List<String>> later = new HashMap<>(r.context());
      later.put("ec2:CreateAction", List.of());
      out.add(new IamPolicy.Request(r.action(), r.resource(), later));
    }
    for (String kind : List.of("image/", "subnet/", "security-group/")) {
      if (r.resource().contains(":" + kind)) {
        out.add(new IamPolicy.Request(r.action(), r.resource().replaceAll(kind + ".*", kind + "x-other"), r.context()));
      }
    }
    if (r.action().equals("iam:PassRole")) {
      out.add(new IamPolicy.Request(r.action(), "arn:aws:iam::" + ACCOUNT + ":role/admin", r.context()));
      out.add(new IamPolicy.Request(r.action(), r.resource(), Map.of("iam:PassedToService", List.of("lambda.amazonaws.com"))));
    }
    return out;
  }

  private static Map<String, List<String>> tagContext(Map<String, String> tags) {
    Map<String, List<String>> context = new HashMap<>();
    tags.forEach((k, v) -> context.put("aws:RequestTag/" + k, List.of(v)));
    if (!tags.isEmpty()) {
      context.put("aws:TagKeys", List.copyOf(tags.keySet()));
    }
    return context;
  }

  private static Map<String, String> tagPairs(Ec2QueryApiDouble.Call call, String prefix) {
    Map<String, String> tags = new LinkedHashMap<>();
    for (int n = 1; call.param(prefix + "." + n + ".Key") != null; n++) {
      tags.put(call.param(prefix + "." + n + ".Key"), call.param(prefix + "." + n + ".Value"));
    }
    return tags;
  }

  private static Set<String> actions(List<IamPolicy.Request> requests) {
    return requests.stream().map(IamPolicy.Request::action).collect(Collectors.toCollection(LinkedHashSet::new));
  }

  /**
   * The SDK operations called in the source of the EC2 provider ({@code ec2.x(...)}) and the secret
   * store ({@code ssm.x(...)}), as IAM actions; paginators call their operation.
   */
  private static Set<String> sdkCallsInSource() throws IOException {
    Set<String> calls = new TreeSet<>();
    Path fleet = Path.of("src", "main", "java", "chat", "fleet");
    Map<String, String> clients = Map.of("Ec2InstanceProvider.java", "ec2", "SsmSecretStore.java", "ssm");
    for (Map.Entry<String, String> e : clients.entrySet()) {
      Matcher m = Pattern.compile("\\b" + e.getValue() + "\\.([a-z][A-Za-z0-9]*)\\(").matcher(Files.readString(fleet.resolve(e.getKey())));
      while (m.find()) {
        String method = m.group(1).replaceFirst("Paginator$", "");
        if (!Set.of("close", "serviceClientConfiguration").contains(method)) {
          calls.add(e.getValue() + ":" + Character.toUpperCase(method.charAt(0)) + method.substring(1));
        }
      }
    }
    return calls;
  }

  // ---- the template ----

  private static JsonObject template() throws IOException {
    return readJson(KIT.resolve("chat-login.json"));
  }

  /** The values CloudFormation would put in the stack's ${...}, for a stack made as the README says. */
  private static Map<String, String> stackValues(int appPort) throws IOException {
    Map<String, String> values = new HashMap<>();
    template().getJsonObject("Parameters").forEach(e -> {
      Object def = ((JsonObject) e.getValue()).getValue("Default");
      if (def != null) {
        values.put(e.getKey(), def.toString());
      }
    });
    values.put("ImageId", IMAGE);
    values.put("Cluster", CLUSTER);
    values.put("SecretsPrefix", PREFIX);
    values.put("AppInstanceType", APP_TYPE);
    values.put("AppPort", Integer.toString(appPort));
    values.put("Capacity", "2");
    values.put("AWS::Region", REGION);
    values.put("AWS::AccountId", ACCOUNT);
    values.put("AWS::Partition", "aws");
    values.put("Subnet", SUBNET);
    values.put("AppSecurityGroup", APP_GROUP);
    values.put("AppInstanceProfile", APP_PROFILE);
    values.put("AppRole.Arn", APP_ROLE_ARN);
    return values;
  }

  private static String loginUserData() throws IOException {
    JsonObject instance = template().getJsonObject("Resources").getJsonObject("LoginInstance").getJsonObject("Properties");
    return instance.getJsonObject("UserData").getJsonObject("Fn::Base64").getString("Fn::Sub");
  }

  /** The policy file with its ${...} filled in as the stack fills them. */
  private static JsonObject resolved(String file, Map<String, String> stack) throws IOException {
    return new JsonObject(sub(Files.readString(KIT.resolve(file)), stack));
  }

  private static IamPolicy policy(String file) throws IOException {
    return new IamPolicy(readJson(KIT.resolve(file)));
  }

  /** The policy document of a role in the template, each {"Fn::Sub": s} written as s. */
  private static JsonObject rolePolicy(JsonObject resources, String role) {
    JsonArray policies = resources.getJsonObject(role).getJsonObject("Properties").getJsonArray("Policies");
    assertEquals(1, policies.size(), role);
    return (JsonObject) unSub(policies.getJsonObject(0).getJsonObject("PolicyDocument"));
  }

  private static Object unSub(Object node) {
    if (node instanceof JsonObject o) {
      if (o.size() == 1 && o.containsKey("Fn::Sub")) {
        return o.getString("Fn::Sub");
      }
      JsonObject out = new JsonObject();
      o.forEach(e -> out.put(e.getKey(), unSub(e.getValue())));
      return out;
    }
    if (node instanceof JsonArray a) {
      JsonArray out = new JsonArray();
      a.forEach(v -> out.add(unSub(v)));
      return out;
    }
    return node;
  }

  private static final Pattern SUB_VARIABLE = Pattern.compile("\\$\\{(!?)([^}]*)}");

  /** Fn::Sub: ${Name} is the stack's value, ${!text} is the literal ${text}. */
  static String sub(String text, Map<String, String> values) {
    Matcher m = SUB_VARIABLE.matcher(text);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String replacement;
      if (!m.group(1).isEmpty()) {
        replacement = "${" + m.group(2) + "}";
      } else {
        replacement = values.get(m.group(2));
        if (replacement == null) {
          throw new IllegalArgumentException("no value for ${" + m.group(2) + "}");
        }
      }
      m.appendReplacement(out, Matcher.quoteReplacement(replacement));
    }
    m.appendTail(out);
    return out.toString();
  }

  private static List<String> subVariables(String text) {
    List<String> names = new ArrayList<>();
    Matcher m = SUB_VARIABLE.matcher(text);
    while (m.find()) {
      if (m.group(1).isEmpty()) {
        names.add(m.group(2));
      }
    }
    return names;
  }

  private static void walk(Object node, java.util.function.Consumer<JsonObject> visit) {
    if (node instanceof JsonObject o) {
      visit.accept(o);
      o.forEach(e -> walk(e.getValue(), visit));
    } else if (node instanceof JsonArray a) {
      a.forEach(v -> walk(v, visit));
    }
  }

  private static String portName(Object port) {
    return port instanceof JsonObject ref ? ref.getString("Ref") : String.valueOf(port);
  }

  private static List<String> strings(Object value) {
    return value instanceof JsonArray a ? a.stream().map(String.class::cast).toList() : List.of((String) value);
  }

  private static JsonObject readJson(Path file) throws IOException {
    return new JsonObject(Files.readString(file));
  }

  // ---- helpers ----

  private static void executable(Path path, String content) throws IOException {
    BootedMachines.executable(path, content);
  }
}
