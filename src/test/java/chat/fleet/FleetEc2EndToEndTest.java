package chat.fleet;

import chat.config.ChatConfig;
import chat.support.Admin;
import chat.support.RunningService;
import chat.support.TestServers;
import chat.support.Wire;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The whole cycle through the EC2 code path: the login role asks {@link Ec2InstanceProvider} for
 * an instance, the real AWS SDK sends RunInstances to {@link Ec2QueryApiDouble}, and the test
 * "boots the machine" by running the rendered user-data script with bash. The script starts a
 * real application process (a stand-in {@code java} on PATH runs {@code chat.Main} from the test
 * classpath, as there is no jar during {@code mvn test}), which registers with the fleet over
 * AMQP and serves users. When the last user is deleted the fleet drains the instance and sends
 * TerminateInstances; the test then kills the process, as EC2 would power the machine off.
 *
 * <p>The booted process gets its store and broker credentials only through the secrets
 * parameter: the login role writes it to {@link SsmJsonApiDouble} before RunInstances, the user
 * data names it, and the process reads it with its own ("instance profile") credentials. The
 * machine's environment holds no {@code CHAT_*} credential, and the store knows no user but the
 * configured one, so an instance without its secrets cannot serve anyone.
 *
 * <p>Capacity 2 and two users keep exactly one instance alive at a time, since every instance
 * the user-data starts listens on the one configured {@code appPort}.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class FleetEc2EndToEndTest {

  private static final String IMAGE = "ami-0123456789abcdef0";
  private static final String CLUSTER = "e2e";
  private static final long GRACE_SECONDS = 2;
  private static final String INSTANCE_ACCESS_KEY = "AKIDINSTANCEPROFILE2";
  private static final String STORE_USER = "chat_e2e";
  private static final String STORE_PASSWORD = "store-pw-" + UUID.randomUUID();
  private static final String BROKER_USER = "fleet_e2e";
  private static final String BROKER_PASSWORD = "broker-pw-" + UUID.randomUUID();

  @TempDir
  Path tmp;
  @RegisterExtension
  final AwsDoubles aws = new AwsDoubles("AKIDTESTDOUBLE000002");

  private BootedMachines machines;
  private final List<Ec2QueryApiDouble.Launch> launches = new CopyOnWriteArrayList<>();
  private Ec2QueryApiDouble ec2;
  private SsmJsonApiDouble ssm;
  private RunningService service;
  private Thread terminator;
  private volatile boolean stopping;
  private Path stubDir;
  private Path fakeJar;
  private int appPort;
  private int adminPort;

  @BeforeEach
  void setUp() throws IOException {
    ec2 = aws.ec2();
    ssm = aws.ssm();
    appPort = BootedMachines.freePort();
    adminPort = BootedMachines.freePort();

    // What the AMI would hold: a jar (any readable file passes the script's check) and java.
    fakeJar = Files.writeString(tmp.resolve("chat.jar"), "not a jar: the stand-in java runs the test classpath");
    stubDir = BootedMachines.standInJava(tmp.resolve("bin"),
        "printf '%s\\n' \"$@\" > java-args.txt",
        "printf '%s\\n' \"${CHAT_SECRETS_PARAMETER-}\" \"${AWS_REGION-}\" \"${CHAT_STORE_PASSWORD+set}\" > java-env.txt")
        .getParent();
    machines = new BootedMachines(tmp);

    ec2.onRunInstances(this::boot);
    terminator = new Thread(this::powerOffTerminated, "e2e-ec2-terminator");
    terminator.setDaemon(true);
    terminator.start();
  }

  /** Machines go first, then the service, then (with the test) the doubles it talks to. */
  @AfterEach
  void tearDown() throws Exception {
    stopping = true;
    terminator.join(5_000);
    machines.close();
    if (service != null) {
      service.close();
    }
  }

  @Test
  void loginBootsAnEc2InstanceFromUserDataAndTheLastDeleteTerminatesIt() throws Exception {
    ChatConfig config = TestServers.config(tmp.resolve("login"), Map.of(
        "fleet.provider", "ec2",
        "fleet.capacity", "2",
        "fleet.graceSeconds", Long.toString(GRACE_SECONDS),
        "fleet.startTimeoutSeconds", "40",
        "fleet.cluster", CLUSTER,
        "store.user", STORE_USER,
        "store.password", STORE_PASSWORD,
        "broker.user", BROKER_USER,
        "broker.password", BROKER_PASSWORD));
    createStoreFor(config, STORE_USER, STORE_PASSWORD);
    config.json().getJsonObject("fleet").put("ec2", new JsonObject()
        .put("imageId", IMAGE)
        .put("instanceType", "t3.small")
        .put("subnetId", "subnet-1")
        .put("securityGroupIds", new JsonArray().add("sg-1"))
        .put("keyName", "ops")
        .put("instanceProfile", "chat-app")
        .put("cluster", CLUSTER)
        .put("appPort", appPort)
        .put("endpointOverride", ec2.endpoint().toString())
        .put("ssmEndpointOverride", ssm.endpoint().toString())
        .put("region", "us-east-1"));
    service = RunningService.start(config);
    int login = service.loginPort();
    int amqpPort = config.json().getJsonObject("broker").getInteger("amqpPort");
    int storePort = config.json().getJsonObject("store").getInteger("port");

    assertEquals(List.of(), ec2.calls("RunInstances"), "no instance before the first login");
    assertOk(Wire.reference(login, "register u1 p"));
    assertOk(Wire.reference(login, "register u2 p"));

    // The first login starts an instance and waits for it to boot and register.
    JsonObject first = BootedMachines.request(login, "login u1 p", 50_000);
    assertEquals(0, first.getInteger("status"), () -> first.encode() + "\nboot failures: " + machines.failures()
        + launches.stream().map(l -> "\n--- " + l.ec2InstanceId() + " boot log:\n" + machines.bootLog(l.ec2InstanceId())).toList());
    String token1 = first.getString("token");
    assertNotNull(token1, first.encode());
    JsonObject address = first.getJsonObject("server");
    assertNotNull(address, first.encode());
    assertEquals("127.0.0.1", address.getString("host"), address.encode());
    assertEquals(appPort, address.getInteger("port"), "the booted process's port: " + address.encode());

    // One RunInstances, carrying every option, and one machine booted from its user data.
    List<Ec2QueryApiDouble.Call> runs = ec2.calls("RunInstances");
    assertEquals(1, runs.size(), "RunInstances calls");
    assertEquals(1, launches.size(), "launches");
    assertEquals(List.of(), machines.failures());
    Ec2QueryApiDouble.Launch launch = launches.get(0);
    String ec2Id = launch.ec2InstanceId();
    assertTrue(machines.all().get(ec2Id).isAlive(), "the booted application process runs\n" + machines.bootLog(ec2Id));

    JsonArray instances = service.instances();
    assertEquals(1, instances.size(), instances.encode());
    JsonObject instance = instances.getJsonObject(0);
    String fleetId = instance.getString("id");
    assertEquals(fleetId, address.getString("id"), "the login reply names the fleet's instance");
    assertEquals("ready", instance.getString("state"));
    assertEquals(ec2Id, instance.getString("provider"), "the fleet keeps the EC2 id as the provider ref");
    assertEquals("127.0.0.1", instance.getString("host"));
    assertEquals(appPort, instance.getInteger("port"));

    Ec2QueryApiDouble.Call run = runs.get(0);
    assertEquals(IMAGE, run.param("ImageId"));
    assertEquals("t3.small", run.param("InstanceType"));
    assertEquals("subnet-1", run.param("SubnetId"));
    assertEquals("sg-1", run.param("SecurityGroupId.1"));
    assertEquals(List.of("sg-1"), run.list("SecurityGroupId"));
    assertEquals("ops", run.param("KeyName"));
    assertEquals("chat-app", run.param("IamInstanceProfile.Name"));
    assertEquals("instance", run.param("TagSpecification.1.ResourceType"));
    Map<String, String> tags = tags(run, "TagSpecification.1.Tag");
    assertEquals(CLUSTER, tags.get("cluster"), tags.toString());
    assertEquals("app", tags.get("role"), tags.toString());
    assertEquals(fleetId, tags.get("chat:instance-id"), tags.toString());
    assertEquals(tags, launch.tags(), "the double stored the tags that were sent");

    String userData = launch.userData();
    assertNotNull(userData);
    String brokerUrl = "amqp://127.0.0.1:" + amqpPort;
    String storeUrl = "jdbc:hsqldb:hsql://127.0.0.1:" + storePort + "/chat";
    assertTrue(userData.startsWith("#!/bin/bash"), userData);
    assertTrue(userData.contains("--role=app"), userData);
    assertTrue(userData.contains("BROKER_URL='" + brokerUrl + "'"), userData);
    assertTrue(userData.contains("STORE_URL='" + storeUrl + "'"), userData);
    assertTrue(userData.contains("INSTANCE_ID='" + fleetId + "'"), userData);
    assertTrue(userData.contains("APP_PORT='" + appPort + "'"), userData);
    assertTrue(userData.contains("CAPACITY='2'"), userData);
    assertFalse(userData.contains("{{"), "every placeholder is filled:\n" + userData);
    // what the script actually ran, as the stand-in java saw it
    List<String> javaArgs = Files.readAllLines(machines.dir(ec2Id).resolve("java-args.txt"));
    assertEquals(List.of("-jar", fakeJar.toString()), javaArgs.subList(0, 2), javaArgs.toString());
    assertTrue(javaArgs.containsAll(List.of("--role=app", "--instance-id=" + fleetId, "--broker-url=" + brokerUrl,
        "--store-url=" + storeUrl, "--capacity=2", "--advertise-host", "127.0.0.1", Integer.toString(appPort))),
        javaArgs.toString());
    // the instance's health listener on loopback, and the script waited for its readiness
    assertTrue(javaArgs.contains("app.adminPort=" + adminPort), javaArgs.toString());
    assertEquals(200, Admin.get(adminPort, "/health/ready", null).statusCode());
    Admin.until("the boot log says the instance is ready", 30,
        () -> machines.bootLog(ec2Id).contains("ready: http://127.0.0.1:" + adminPort + "/health/ready"));

    // The secrets went through one SecureString parameter, read by the booted process itself.
    String parameter = "/chat/" + CLUSTER + "/" + fleetId;
    List<SsmJsonApiDouble.Call> puts = ssm.calls("PutParameter");
    assertEquals(1, puts.size(), "PutParameter calls");
    assertEquals(parameter, puts.get(0).body().getString("Name"));
    assertEquals("SecureString", puts.get(0).body().getString("Type"));
    JsonObject written = new JsonObject(ssm.parameter(parameter).orElseThrow().value());
    // the instance's own least-privilege users, not the login role's
    String appStoreUser = config.store().getString("appUser");
    String appBrokerUser = config.broker().getString("appUser");
    assertEquals(appStoreUser, written.getString("CHAT_STORE_USER"));
    assertEquals(config.store().getString("appPassword"), written.getString("CHAT_STORE_PASSWORD"));
    assertEquals(appBrokerUser, written.getString("CHAT_BROKER_USER"));
    assertEquals(config.broker().getString("appPassword"), written.getString("CHAT_BROKER_PASSWORD"));
    assertEquals(FleetControl.instanceSecret(service.secret("fleet-key"), fleetId),
        written.getString("CHAT_INSTANCE_SECRET"));
    List<SsmJsonApiDouble.Call> gets = ssm.calls("GetParameter");
    assertEquals(1, gets.size(), "the instance read its secrets once");
    assertEquals(parameter, gets.get(0).body().getString("Name"));
    assertEquals(Boolean.TRUE, gets.get(0).body().getBoolean("WithDecryption"));
    assertEquals(INSTANCE_ACCESS_KEY, gets.get(0).accessKeyId(), "read with the instance's own credentials");
    assertTrue(userData.contains("SECRETS_PARAMETER='" + parameter + "'"), userData);
    assertTrue(userData.contains("REGION='us-east-1'"), userData);
    assertEquals(List.of(parameter, "us-east-1", ""), Files.readAllLines(machines.dir(ec2Id).resolve("java-env.txt")),
        "the JVM got the parameter's name and region, and no password in its environment");
    String bootLog = machines.bootLog(ec2Id);
    for (String secret : List.of(STORE_PASSWORD, BROKER_PASSWORD, config.store().getString("appPassword"),
        config.broker().getString("appPassword"), written.getString("CHAT_INSTANCE_SECRET"))) {
      assertFalse(userData.contains(secret), "a secret in user data");
      assertFalse(javaArgs.toString().contains(secret), "a secret on the command line");
      assertFalse(bootLog.contains(secret), "a secret in the instance's log");
    }
    assertTrue(bootLog.contains("\"user\":\"" + appBrokerUser + "\""), "the broker user arrived:\n" + bootLog);
    assertTrue(bootLog.contains("\"user\":\"" + appStoreUser + "\""), "the store user arrived:\n" + bootLog);

    // The second user fits on the same instance: no second machine.
    JsonObject second = BootedMachines.request(login, "login u2 p", 30_000);
    assertOk(second);
    String token2 = second.getString("token");
    assertEquals(address, second.getJsonObject("server"));
    assertEquals(1, ec2.calls("RunInstances").size(), "the second user needs no new instance");
    assertEquals(2, service.instances().getJsonObject(0).getInteger("users"));

    // Application commands go straight to the booted process.
    assertOk(Wire.reference(appPort, "post " + token1 + " hi"));
    assertOk(Wire.reference(appPort, "invite " + token1 + " u2"));
    assertOk(Wire.reference(appPort, "accept-invite " + token2 + " u1"));
    JsonObject posts = Wire.reference(appPort, "receive-post " + token2);
    assertEquals(0, posts.getInteger("status"), posts.encode());
    assertEquals(new JsonArray().add(new JsonObject().put("id", "u1").put("message", "hi")), posts.getJsonArray("post"));

    // The last user gone, the instance is terminated after the grace period.
    assertOk(Wire.reference(login, "delete " + token1));
    assertOk(Wire.reference(login, "delete " + token2));
    long deleted = System.nanoTime();
    long terminateBy = deleted + TimeUnit.SECONDS.toNanos(GRACE_SECONDS + 8);
    while (terminateCalls(ec2Id) == 0 && System.nanoTime() < terminateBy) {
      Thread.sleep(50);
    }
    assertEquals(1, terminateCalls(ec2Id), "TerminateInstances for " + ec2Id + " within grace + 8 s; calls: "
        + ec2.calls().stream().map(Ec2QueryApiDouble.Call::action).toList());
    long afterMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - deleted);
    assertTrue(afterMillis >= GRACE_SECONDS * 1000 - 300, "not before the grace period: " + afterMillis + " ms");
    assertEquals("terminated", ec2.state(ec2Id).orElseThrow());
    long deletedBy = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (ssm.parameter(parameter).isPresent() && System.nanoTime() < deletedBy) {
      Thread.sleep(20);
    }
    assertTrue(ssm.parameter(parameter).isEmpty(), "the secrets parameter is deleted with its instance");

    Process machine = machines.all().get(ec2Id);
    assertTrue(machine.waitFor(15, TimeUnit.SECONDS), "the terminated machine's process exits");

    // The fleet forgets the instance, and nothing heard afterwards brings it back.
    awaitEmptyFleet(TimeUnit.SECONDS.toNanos(GRACE_SECONDS + 10));
    assertEquals(1, ec2.calls("RunInstances").size(), "no instance started after the last user left");
  }

  // ---- the "machine": user data run by bash ----

  /** Runs on the double's thread, before the RunInstances answer, as cloud-init would at boot. */
  private void boot(Ec2QueryApiDouble.Launch launch) {
    launches.add(launch);
    // what the image and the instance profile provide; the region comes from the user data
    machines.boot(launch.ec2InstanceId(), launch.userData(), fakeJar, stubDir,
        env -> {
          aws.instanceEnvironment(env, INSTANCE_ACCESS_KEY, machines.dir(launch.ec2InstanceId()));
          env.put("CHAT_ADMIN_PORT", Integer.toString(adminPort));
        });
  }

  /** Powers a machine off as soon as the double marks it terminated; stops with the test. */
  private void powerOffTerminated() {
    while (!stopping) {
      machines.all().forEach((id, process) -> {
        if (process.isAlive() && ec2.state(id).map("terminated"::equals).orElse(false)) {
          BootedMachines.kill(process);
        }
      });
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  // ---- helpers ----

  /**
   * Creates the login role's database with {@code user} as its only user, so an instance can
   * reach the store only with the credentials the fleet handed it.
   */
  private static void createStoreFor(ChatConfig config, String user, String password) throws SQLException {
    String url = "jdbc:hsqldb:file:" + config.databasePath() + ";"
        + ChatConfig.databaseProperties(config.store().getInteger("writeDelayMillis"));
    try (Connection c = DriverManager.getConnection(url, user, password); Statement s = c.createStatement()) {
      s.execute("SHUTDOWN");
    }
  }

  private long terminateCalls(String ec2Id) {
    return ec2.calls("TerminateInstances").stream().filter(c -> c.list("InstanceId").contains(ec2Id)).count();
  }

  /** Empty, and still empty 1.5 s later (longer than a heartbeat interval), before the deadline. */
  private void awaitEmptyFleet(long withinNanos) throws Exception {
    long deadline = System.nanoTime() + withinNanos;
    long emptySince = -1;
    JsonArray last = null;
    while (System.nanoTime() < deadline) {
      last = service.instances();
      if (!last.isEmpty()) {
        emptySince = -1;
      } else if (emptySince < 0) {
        emptySince = System.nanoTime();
      } else if (System.nanoTime() - emptySince >= TimeUnit.MILLISECONDS.toNanos(1_500)) {
        return;
      }
      Thread.sleep(100);
    }
    fail("the fleet still lists instances: " + (last == null ? "?" : last.encode()));
  }

  private static Map<String, String> tags(Ec2QueryApiDouble.Call call, String prefix) {
    Map<String, String> tags = new LinkedHashMap<>();
    for (int n = 1; call.param(prefix + "." + n + ".Key") != null; n++) {
      tags.put(call.param(prefix + "." + n + ".Key"), call.param(prefix + "." + n + ".Value"));
    }
    return tags;
  }

  private static void assertOk(JsonObject reply) {
    assertEquals(0, reply.getInteger("status"), reply.encode());
  }
}
