package chat.fleet;

import chat.config.TlsOptions;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.ec2.model.Ec2Exception;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Drives {@link Ec2InstanceProvider} through the real AWS SDK against {@link Ec2QueryApiDouble} and,
 * for instances' secrets, {@link SsmJsonApiDouble}.
 */
@ExtendWith(VertxExtension.class)
class Ec2InstanceProviderTest {

  private static final String ACCESS_KEY = "AKIDTESTDOUBLE000001";
  private static final String CLUSTER = "chat-test";
  private static final InstanceSpec SPEC = new InstanceSpec(
      "app-7", "amqp://broker.internal:5672", "jdbc:postgresql://db.internal:5432/chat", 250, CLUSTER);
  private static final Map<String, String> SECRETS = Map.of(
      "CHAT_STORE_USER", "chat_app",
      "CHAT_STORE_PASSWORD", "store-pw-'quoted' $(and) \"odd\"",
      "CHAT_BROKER_USER", "fleet",
      "CHAT_BROKER_PASSWORD", "broker-pw-81f3c2",
      "CHAT_INSTANCE_SECRET", "instance-secret-5d2e9a");
  private static final InstanceSpec SECRET_SPEC = new InstanceSpec(
      "app-7", "amqp://broker.internal:5672", "jdbc:postgresql://db.internal:5432/chat", 250, CLUSTER, SECRETS);
  private static final String PARAMETER = "/chat/" + CLUSTER + "/app-7";

  @RegisterExtension
  final AwsDoubles aws = new AwsDoubles(ACCESS_KEY);
  private Ec2QueryApiDouble ec2;
  private SsmJsonApiDouble ssm;
  private Ec2InstanceProvider provider;
  private Ec2Options options;

  @BeforeEach
  void startProvider(Vertx vertx) {
    ec2 = aws.ec2();
    ssm = aws.ssm();
    options = Ec2Options.of("ami-0abc1234def567890")
        .withInstanceType("t3.small")
        .withSubnetId("subnet-0123abcd")
        .withSecurityGroupIds(List.of("sg-0aaa1111", "sg-0bbb2222"))
        .withKeyName("chat-ops")
        .withInstanceProfile("chat-app-profile")
        .withCluster(CLUSTER)
        .withAppPort(7100)
        .withEndpointOverride(ec2.endpoint())
        .withSsmEndpointOverride(ssm.endpoint());
    provider = new Ec2InstanceProvider(vertx, options);
  }

  /** The provider closes before the doubles do. */
  @AfterEach
  void closeProvider(VertxTestContext ctx) {
    provider.close().onComplete(ar -> ctx.completeNow());
  }

  @Test
  void startSendsRunInstancesWithImageTypeSubnetGroupsKeyProfileAndTags(VertxTestContext ctx) {
    provider.start(SPEC).onComplete(ctx.succeeding(ec2Id -> ctx.verify(() -> {
      assertNotNull(Vertx.currentContext(), "completed on a Vert.x context");
      assertTrue(ec2Id.matches("i-[0-9a-f]{17}"), ec2Id);

      List<Ec2QueryApiDouble.Call> runs = ec2.calls("RunInstances");
      assertEquals(1, runs.size());
      Ec2QueryApiDouble.Call run = runs.get(0);
      assertEquals(ACCESS_KEY, run.accessKeyId(), "signed with the default-chain credentials");
      assertEquals("1", run.param("MinCount"));
      assertEquals("1", run.param("MaxCount"));
      assertEquals("ami-0abc1234def567890", run.param("ImageId"));
      assertEquals("t3.small", run.param("InstanceType"));
      assertEquals("subnet-0123abcd", run.param("SubnetId"));
      assertEquals(List.of("sg-0aaa1111", "sg-0bbb2222"), run.list("SecurityGroupId"));
      assertEquals("chat-ops", run.param("KeyName"));
      assertEquals("chat-app-profile", run.param("IamInstanceProfile.Name"));
      assertNull(run.param("IamInstanceProfile.Arn"));
      assertEquals("instance", run.param("TagSpecification.1.ResourceType"));
      assertNotNull(run.param("UserData"));

      Map<String, String> expectedTags = Map.of(
          "cluster", CLUSTER, "role", "app", "chat:instance-id", "app-7", "Name", "chat-app-app-7");
      assertEquals(expectedTags, ec2.tags(ec2Id).orElseThrow());
      assertEquals("pending", ec2.state(ec2Id).orElseThrow(), "pending until the next request");
      ctx.completeNow();
    })));
  }

  @Test
  void startSendsAnInstanceProfileArnAndOmitsUnsetOptions(Vertx vertx, VertxTestContext ctx) {
    Ec2Options minimal = Ec2Options.of("ami-0minimal")
        .withInstanceProfile("arn:aws:iam::123456789012:instance-profile/chat-app")
        .withEndpointOverride(ec2.endpoint());
    Ec2InstanceProvider bare = new Ec2InstanceProvider(vertx, minimal);
    bare.start(SPEC)
        .eventually(bare::close)
        .onComplete(ctx.succeeding(ec2Id -> ctx.verify(() -> {
          Ec2QueryApiDouble.Call run = ec2.calls("RunInstances").get(0);
          assertEquals("t3.micro", run.param("InstanceType"));
          assertEquals("arn:aws:iam::123456789012:instance-profile/chat-app", run.param("IamInstanceProfile.Arn"));
          assertNull(run.param("IamInstanceProfile.Name"));
          assertNull(run.param("SubnetId"));
          assertNull(run.param("KeyName"));
          assertEquals(List.of(), run.list("SecurityGroupId"));
          assertEquals("chat", ec2.tags(ec2Id).orElseThrow().get("cluster"));
          ctx.completeNow();
        })));
  }

  @Test
  void userDataBootsTheAppRoleWithBrokerStoreAndIdentity(Vertx vertx, VertxTestContext ctx, @TempDir Path dir) {
    List<Ec2QueryApiDouble.Launch> launches = new CopyOnWriteArrayList<>();
    ec2.onRunInstances(launches::add);
    provider.start(SPEC)
        .compose(ec2Id -> vertx.executeBlocking(() -> {
          assertEquals(1, launches.size());
          assertEquals(ec2Id, launches.get(0).ec2InstanceId());
          assertEquals("app-7", launches.get(0).tags().get("chat:instance-id"));
          String script = launches.get(0).userData();
          // What was sent is exactly the rendered template, base64-encoded.
          String sent = ec2.calls("RunInstances").get(0).param("UserData");
          assertEquals(script, new String(Base64.getDecoder().decode(sent), StandardCharsets.UTF_8));
          assertEquals(0, bashSyntaxCheck(script, dir));
          return new Object[] {script, runScript(script, dir, Map.of("CHAT_ADVERTISE_HOST", "10.0.0.5"))};
        }))
        .onComplete(ctx.succeeding(result -> ctx.verify(() -> {
          String script = (String) result[0];
          assertTrue(script.startsWith("#!/bin/bash\n"));
          assertTrue(script.contains("--role=app"));
          assertTrue(script.contains("INSTANCE_ID='app-7'\n"), script);
          assertTrue(script.contains("BROKER_URL='amqp://broker.internal:5672'\n"));
          assertTrue(script.contains("STORE_URL='jdbc:postgresql://db.internal:5432/chat'\n"));
          assertTrue(script.contains("CAPACITY='250'\n"));
          assertTrue(script.contains("CLUSTER='chat-test'\n"));
          assertTrue(script.contains("APP_PORT='7100'\n"));
          assertFalse(script.contains("{{"), "every placeholder rendered");
          assertFalse(script.contains("test-secret-not-real"));
          assertFalse(script.contains(ACCESS_KEY));

          @SuppressWarnings("unchecked")
          List<String> argv = (List<String>) result[1];
          assertEquals(List.of("-jar", dir.resolve("chat.jar").toString(),
              "--role=app",
              "--instance-id=app-7",
              "--broker-url=amqp://broker.internal:5672",
              "--store-url=jdbc:postgresql://db.internal:5432/chat",
              "--capacity=250",
              "--host", "0.0.0.0",
              "--port", "7100",
              "--advertise-host", "10.0.0.5",
              "--set", "app.adminPort=7101"), argv);
          ctx.completeNow();
        })));
  }

  @Test
  void userDataAdvertisesTheImdsAddressThenFallsBackToHostname(@TempDir Path dir) throws Exception {
    String script = Ec2InstanceProvider.renderUserData(Ec2InstanceProvider.loadTemplate(), SPEC, options);
    Path curlLog = dir.resolve("curl.log");
    // IMDSv2: the token PUT must come first and its token must be presented on the read.
    writeExecutable(dir.resolve("bin/curl"), "#!/bin/bash\n"
        + "printf '%s\\n' \"$*\" >> '" + curlLog + "'\n"
        + "case \"$*\" in\n"
        + "  *'-X PUT'*latest/api/token*) printf 'tok-123' ;;\n"
        + "  *'X-aws-ec2-metadata-token: tok-123'*latest/meta-data/local-ipv4*) printf '172.31.5.9' ;;\n"
        + "  *) exit 22 ;;\n"
        + "esac\n");
    List<String> argv = runScript(script, dir, Map.of());
    assertEquals("172.31.5.9", advertised(argv));
    // the metadata service's calls (the readiness watcher asks the instance's own health listener too)
    List<String> curls = Files.readAllLines(curlLog).stream().filter(c -> c.contains("169.254.169.254")).toList();
    assertEquals(2, curls.size(), curls.toString());
    assertTrue(curls.get(0).contains("--max-time") && curls.get(0).contains("169.254.169.254/latest/api/token"));
    assertTrue(curls.get(1).contains("--max-time") && curls.get(1).contains("169.254.169.254/latest/meta-data/local-ipv4"));

    // Without a metadata service, the first address of `hostname -I` is advertised.
    writeExecutable(dir.resolve("bin/curl"), "#!/bin/bash\nexit 7\n");
    writeExecutable(dir.resolve("bin/hostname"), "#!/bin/bash\n[ \"$1\" = -I ] && echo '10.9.8.7 172.17.0.1 ' || echo box\n");
    argv = runScript(script, dir, Map.of());
    assertEquals("10.9.8.7", advertised(argv));
  }

  @Test
  void userDataWithPublicAdvertiseAddressAdvertisesThePublicIpv4AndNeverAPrivateOne(@TempDir Path dir) throws Exception {
    String script = Ec2InstanceProvider.renderUserData(Ec2InstanceProvider.loadTemplate(), SPEC,
        options.withAdvertiseAddress("public"));
    assertTrue(script.contains("ADVERTISE_ADDRESS='public'\n"), script);
    writeExecutable(dir.resolve("bin/curl"), "#!/bin/bash\n"
        + "case \"$*\" in\n"
        + "  *'-X PUT'*latest/api/token*) printf 'tok-9' ;;\n"
        + "  *'X-aws-ec2-metadata-token: tok-9'*latest/meta-data/public-ipv4*) printf '203.0.113.7' ;;\n"
        + "  *'X-aws-ec2-metadata-token: tok-9'*latest/meta-data/local-ipv4*) printf '172.31.5.9' ;;\n"
        + "  *) exit 22 ;;\n"
        + "esac\n");
    List<String> argv = runScript(script, dir, Map.of());
    assertEquals("203.0.113.7", advertised(argv));

    // An instance without a public address does not start: clients could not reach a private one.
    writeExecutable(dir.resolve("bin/curl"), "#!/bin/bash\n"
        + "case \"$*\" in\n"
        + "  *'-X PUT'*latest/api/token*) printf 'tok-9' ;;\n"
        + "  *latest/meta-data/local-ipv4*) printf '172.31.5.9' ;;\n"
        + "  *) exit 22 ;;\n"
        + "esac\n");
    Path argv2 = dir.resolve("argv");
    Files.deleteIfExists(argv2);
    ProcessBuilder pb = new ProcessBuilder("bash", dir.resolve("user-data.sh").toString()).redirectErrorStream(true);
    pb.environment().put("PATH", dir.resolve("bin") + ":" + pb.environment().get("PATH"));
    pb.environment().put("CHAT_JAR", dir.resolve("chat.jar").toString());
    pb.environment().put("ARGV_OUT", argv2.toString());
    pb.environment().put("ENV_OUT", dir.resolve("env").toString());
    pb.environment().remove("CHAT_ADVERTISE_HOST");
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(10, TimeUnit.SECONDS));
    assertEquals(1, p.exitValue(), out);
    assertTrue(out.contains("no public IPv4 address"), out);
    assertFalse(Files.exists(argv2), "java never started");
  }

  @Test
  void optionsRefuseAnUnknownAdvertiseAddress() {
    assertEquals("private", Ec2Options.of("ami-1").advertiseAddress());
    assertEquals("public", Ec2Options.fromJson(new JsonObject().put("imageId", "a").put("advertiseAddress", "public"))
        .advertiseAddress());
    assertThrows(IllegalArgumentException.class, () -> Ec2Options.of("ami-1").withAdvertiseAddress("elastic"));
  }

  @Test
  void startTagsTheVolumeAndNetworkInterfaceLikeTheInstance(VertxTestContext ctx) {
    provider.start(SPEC).onComplete(ctx.succeeding(ec2Id -> ctx.verify(() -> {
      Ec2QueryApiDouble.Call run = ec2.calls("RunInstances").get(0);
      Map<String, Map<String, String>> byType = new java.util.HashMap<>();
      for (int s = 1; run.param("TagSpecification." + s + ".ResourceType") != null; s++) {
        Map<String, String> tags = new java.util.HashMap<>();
        for (int t = 1; run.param("TagSpecification." + s + ".Tag." + t + ".Key") != null; t++) {
          tags.put(run.param("TagSpecification." + s + ".Tag." + t + ".Key"),
              run.param("TagSpecification." + s + ".Tag." + t + ".Value"));
        }
        byType.put(run.param("TagSpecification." + s + ".ResourceType"), tags);
      }
      Map<String, String> expected = Map.of(
          "cluster", CLUSTER, "role", "app", "chat:instance-id", "app-7", "Name", "chat-app-app-7");
      assertEquals(Map.of("instance", expected, "volume", expected, "network-interface", expected), byType);
      ctx.completeNow();
    })));
  }

  @Test
  void stopTerminatesTheInstance(VertxTestContext ctx) {
    provider.start(SPEC)
        .compose(ec2Id -> provider.stop(ec2Id).map(ec2Id))
        .onComplete(ctx.succeeding(ec2Id -> ctx.verify(() -> {
          List<Ec2QueryApiDouble.Call> terminations = ec2.calls("TerminateInstances");
          assertEquals(1, terminations.size());
          assertEquals(List.of(ec2Id), terminations.get(0).list("InstanceId"));
          assertEquals("terminated", ec2.state(ec2Id).orElseThrow());
          ctx.completeNow();
        })));
  }

  @Test
  void stopOfAnUnknownInstanceSucceeds(VertxTestContext ctx) {
    provider.stop("i-0123456789abcdef0").onComplete(ctx.succeeding(v -> ctx.verify(() -> {
      List<Ec2QueryApiDouble.Call> terminations = ec2.calls("TerminateInstances");
      assertEquals(1, terminations.size(), "the SDK does not retry a NotFound");
      assertEquals(List.of("i-0123456789abcdef0"), terminations.get(0).list("InstanceId"));
      assertTrue(ec2.state("i-0123456789abcdef0").isEmpty());
      ctx.completeNow();
    })));
  }

  @Test
  void stopFailsOnOtherErrors(VertxTestContext ctx) {
    ec2.failNext("TerminateInstances", 403, "UnauthorizedOperation", "You are not authorized to perform this operation.");
    provider.stop("i-0123456789abcdef0").onComplete(ctx.failing(err -> ctx.verify(() -> {
      assertTrue(err instanceof Ec2Exception, err.toString());
      assertEquals("UnauthorizedOperation", ((Ec2Exception) err).awsErrorDetails().errorCode());
      assertEquals(1, ec2.calls("TerminateInstances").size());
      ctx.completeNow();
    })));
  }

  @Test
  void closedProviderRefusesWork(Vertx vertx, VertxTestContext ctx) {
    Ec2InstanceProvider closing = new Ec2InstanceProvider(vertx, options);
    closing.close()
        .compose(v -> closing.start(SPEC))
        .onComplete(ctx.failing(err -> ctx.verify(() -> {
          assertTrue(err instanceof IllegalStateException, err.toString());
          assertTrue(ec2.calls().isEmpty(), "nothing reached EC2");
          ctx.completeNow();
        })));
  }

  @Test
  void leftoversFindsRunningInstancesOfThisClusterByTag(VertxTestContext ctx) {
    String running = ec2.preload(appTags(CLUSTER, "app-1"), "running");
    String pending = ec2.preload(appTags(CLUSTER, "app-2"), "pending");
    String another = ec2.preload(appTags(CLUSTER, "app-3"), "running");
    ec2.preload(appTags("other-cluster", "app-4"), "running");
    ec2.preload(appTags(CLUSTER, "app-5"), "terminated");
    ec2.preload(appTags(CLUSTER, "app-6"), "stopped");
    ec2.preload(Map.of("cluster", CLUSTER, "role", "login", "chat:instance-id", "login-1"), "running");
    ec2.describePageSize(2); // three matches: the provider must follow NextToken

    provider.leftovers().onComplete(ctx.succeeding(found -> ctx.verify(() -> {
      assertEquals(Set.of(
          new InstanceProvider.Leftover(running, "app-1"),
          new InstanceProvider.Leftover(pending, "app-2"),
          new InstanceProvider.Leftover(another, "app-3")), Set.copyOf(found));
      assertEquals(3, found.size());

      List<Ec2QueryApiDouble.Call> describes = ec2.calls("DescribeInstances");
      assertEquals(2, describes.size());
      assertNull(describes.get(0).param("NextToken"));
      assertNotNull(describes.get(1).param("NextToken"));
      Map<String, List<String>> filters = filters(describes.get(0));
      assertEquals(Map.of(
          "tag:cluster", List.of(CLUSTER),
          "tag:role", List.of("app"),
          "instance-state-name", List.of("pending", "running")), filters);
      ctx.completeNow();
    })));
  }

  @Test
  void leftoversAdoptWhatStartLaunched(VertxTestContext ctx) {
    provider.start(SPEC)
        .compose(ec2Id -> provider.leftovers().map(found -> Map.entry(ec2Id, found)))
        .onComplete(ctx.succeeding(result -> ctx.verify(() -> {
          assertEquals(List.of(new InstanceProvider.Leftover(result.getKey(), "app-7")), result.getValue());
          assertEquals("running", ec2.state(result.getKey()).orElseThrow());
          ctx.completeNow();
        })));
  }

  @Test
  void renderUserDataQuotesValues(@TempDir Path dir) throws Exception {
    Path marker = dir.resolve("pwned");
    InstanceSpec hostile = new InstanceSpec(
        "app 1'; touch " + marker + "; echo '",
        "amqp://u:p@broker:5672/?a=1&b=$(touch " + marker + ")",
        "jdbc:x://db/`touch " + marker + "` \"quoted\" {{BROKER_URL}}\nsecond line",
        3, CLUSTER);
    String script = Ec2InstanceProvider.renderUserData(Ec2InstanceProvider.loadTemplate(), hostile, options);

    assertTrue(script.contains("INSTANCE_ID='app 1'\\''; touch " + marker + "; echo '\\'''\n"), script);
    assertTrue(script.contains("{{BROKER_URL}}"), "a placeholder inside a value stays literal");
    assertEquals(0, bashSyntaxCheck(script, dir));

    List<String> argv = runScript(script, dir, Map.of("CHAT_ADVERTISE_HOST", "10.0.0.5"));
    assertEquals("--instance-id=" + hostile.instanceId(), argv.get(3));
    assertEquals("--broker-url=" + hostile.brokerUrl(), argv.get(4));
    assertEquals("--store-url=" + hostile.storeUrl(), argv.get(5));
    assertFalse(Files.exists(marker), "a value ran as a command");

    assertThrows(IllegalArgumentException.class, () -> Ec2InstanceProvider.renderUserData(
        "X={{NOT_A_PLACEHOLDER}}", SPEC, options));
    assertThrows(IllegalArgumentException.class, () -> Ec2InstanceProvider.renderUserData(
        Ec2InstanceProvider.loadTemplate(), new InstanceSpec("a\0b", "b", "s", 1, CLUSTER), options));
  }

  @Test
  void startWritesTheSecretsAsOneSecureStringParameterAndUserDataCarriesOnlyItsName(Vertx vertx, VertxTestContext ctx,
                                                                                   @TempDir Path dir) {
    List<Boolean> parameterBeforeLaunch = new CopyOnWriteArrayList<>();
    ec2.onRunInstances(launch -> parameterBeforeLaunch.add(ssm.parameter(PARAMETER).isPresent()));
    provider.start(SECRET_SPEC)
        .compose(ec2Id -> vertx.executeBlocking(() -> {
          String script = new String(Base64.getDecoder().decode(ec2.calls("RunInstances").get(0).param("UserData")),
              StandardCharsets.UTF_8);
          List<String> argv = runScript(script, dir, Map.of("CHAT_ADVERTISE_HOST", "10.0.0.5"));
          return new Object[] {script, argv, scriptEnvironment(dir)};
        }))
        .onComplete(ctx.succeeding(result -> ctx.verify(() -> {
          assertEquals(List.of(true), parameterBeforeLaunch, "the parameter exists before the instance boots");

          List<SsmJsonApiDouble.Call> puts = ssm.calls("PutParameter");
          assertEquals(1, puts.size());
          SsmJsonApiDouble.Call put = puts.get(0);
          assertEquals(ACCESS_KEY, put.accessKeyId(), "signed with the default-chain credentials");
          assertTrue(put.contentType().startsWith("application/x-amz-json-1.1"), put.contentType());
          assertEquals(PARAMETER, put.body().getString("Name"));
          assertEquals("SecureString", put.body().getString("Type"));
          assertEquals(Boolean.TRUE, put.body().getBoolean("Overwrite"));
          assertNull(put.body().getString("KeyId"), "the account's default key unless one is configured");
          assertEquals(SECRETS, new JsonObject(put.body().getString("Value")).getMap(), "one JSON object, name to value");

          SsmJsonApiDouble.Stored stored = ssm.parameter(PARAMETER).orElseThrow();
          assertEquals("SecureString", stored.type());
          assertEquals(Map.of("cluster", CLUSTER, "role", "app", "chat:instance-id", "app-7"), stored.tags(),
              "tagged like the instance");

          String script = (String) result[0];
          assertTrue(script.contains("SECRETS_PARAMETER='" + PARAMETER + "'\n"), script);
          assertTrue(script.contains("REGION='us-east-1'\n"), script);
          @SuppressWarnings("unchecked")
          List<String> argv = (List<String>) result[1];
          @SuppressWarnings("unchecked")
          Map<String, String> env = (Map<String, String>) result[2];
          assertEquals(PARAMETER, env.get("CHAT_SECRETS_PARAMETER"), "exported for the jar");
          assertEquals("us-east-1", env.get("AWS_REGION"));
          for (String secret : SECRETS.values()) {
            assertFalse(script.contains(secret), "a secret in user data: " + secret);
            assertFalse(String.join(" ", argv).contains(secret), "a secret on the command line: " + secret);
          }
          ctx.completeNow();
        })));
  }

  @Test
  void startEncryptsWithTheConfiguredKeyUnderTheConfiguredPrefix(Vertx vertx, VertxTestContext ctx) {
    Ec2InstanceProvider keyed = new Ec2InstanceProvider(vertx, options
        .withSecretsPrefix("/org/chat/")
        .withSecretsKmsKeyId("arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"));
    keyed.start(SECRET_SPEC)
        .eventually(keyed::close)
        .onComplete(ctx.succeeding(ec2Id -> ctx.verify(() -> {
          SsmJsonApiDouble.Call put = ssm.calls("PutParameter").get(0);
          assertEquals("/org/chat/" + CLUSTER + "/app-7", put.body().getString("Name"));
          assertEquals("arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
              put.body().getString("KeyId"));
          String script = new String(Base64.getDecoder().decode(ec2.calls("RunInstances").get(0).param("UserData")),
              StandardCharsets.UTF_8);
          assertTrue(script.contains("SECRETS_PARAMETER='/org/chat/" + CLUSTER + "/app-7'\n"), script);
          ctx.completeNow();
        })));
  }

  @Test
  void startWithoutSecretsWritesNoParameterAndExportsNone(Vertx vertx, VertxTestContext ctx, @TempDir Path dir) {
    provider.start(SPEC)
        .compose(ec2Id -> vertx.executeBlocking(() -> {
          String script = new String(Base64.getDecoder().decode(ec2.calls("RunInstances").get(0).param("UserData")),
              StandardCharsets.UTF_8);
          runScript(script, dir, Map.of("CHAT_ADVERTISE_HOST", "10.0.0.5"));
          return Map.entry(script, scriptEnvironment(dir));
        }))
        .onComplete(ctx.succeeding(result -> ctx.verify(() -> {
          assertEquals(List.of(), ssm.calls(), "no secrets, no parameter");
          assertTrue(result.getKey().contains("SECRETS_PARAMETER=''\n"), result.getKey());
          assertNull(result.getValue().get("CHAT_SECRETS_PARAMETER"), "nothing to read at start-up");
          ctx.completeNow();
        })));
  }

  @Test
  void stopTerminatesTheInstanceThenDeletesItsSecretsParameter(VertxTestContext ctx) {
    provider.start(SECRET_SPEC)
        .compose(ec2Id -> provider.stop(ec2Id).map(ec2Id))
        .onComplete(ctx.succeeding(ec2Id -> ctx.verify(() -> {
          assertEquals("terminated", ec2.state(ec2Id).orElseThrow());
          List<SsmJsonApiDouble.Call> deletes = ssm.calls("DeleteParameter");
          assertEquals(1, deletes.size());
          assertEquals(PARAMETER, deletes.get(0).body().getString("Name"));
          assertTrue(ssm.parameter(PARAMETER).isEmpty(), "the secrets are gone with the instance");
          ctx.completeNow();
        })));
  }

  @Test
  void stopSucceedsWhenTheSecretsParameterIsAlreadyGone(VertxTestContext ctx) {
    provider.start(SECRET_SPEC)
        .compose(ec2Id -> provider.stop(ec2Id).map(ec2Id))
        .compose(ec2Id -> provider.stop(ec2Id).map(ec2Id))
        .onComplete(ctx.succeeding(ec2Id -> ctx.verify(() -> {
          assertTrue(ssm.parameter(PARAMETER).isEmpty());
          ctx.completeNow();
        })));
  }

  @Test
  void stopOfAnInstanceWhoseParameterWasDeletedElsewhereSucceeds(VertxTestContext ctx) {
    provider.start(SECRET_SPEC)
        .compose(ec2Id -> {
          ssm.failNext("DeleteParameter", 400, "ParameterNotFound", "Parameter " + PARAMETER + " not found.");
          return provider.stop(ec2Id).map(ec2Id);
        })
        .onComplete(ctx.succeeding(ec2Id -> ctx.verify(() -> {
          assertEquals("terminated", ec2.state(ec2Id).orElseThrow());
          assertEquals(1, ssm.calls("DeleteParameter").size(), "a missing parameter is not retried");
          ctx.completeNow();
        })));
  }

  @Test
  void failedLaunchDeletesTheSecretsParameter(VertxTestContext ctx) {
    ec2.failNext("RunInstances", 400, "InvalidSubnetID.NotFound", "The subnet ID 'subnet-0123abcd' does not exist");
    provider.start(SECRET_SPEC).onComplete(ctx.failing(err -> ctx.verify(() -> {
      assertTrue(err instanceof Ec2Exception, err.toString());
      assertEquals(1, ssm.calls("PutParameter").size());
      List<SsmJsonApiDouble.Call> deletes = ssm.calls("DeleteParameter");
      assertEquals(1, deletes.size(), "deleted once the launch failed");
      assertEquals(PARAMETER, deletes.get(0).body().getString("Name"));
      assertTrue(ssm.parameter(PARAMETER).isEmpty());
      ctx.completeNow();
    })));
  }

  @Test
  void failedTaggingDeletesTheParameterAndLaunchesNothing(VertxTestContext ctx) {
    ssm.failNext("AddTagsToResource", 400, "AccessDeniedException", "not authorized to perform: ssm:AddTagsToResource");
    provider.start(SECRET_SPEC).onComplete(ctx.failing(err -> ctx.verify(() -> {
      assertTrue(err.getMessage().contains("AddTagsToResource"), err.toString());
      assertEquals(List.of(), ec2.calls("RunInstances"), "no instance without its secrets");
      assertTrue(ssm.parameter(PARAMETER).isEmpty(), "an untagged parameter is not left behind");
      ctx.completeNow();
    })));
  }

  @Test
  void leftoversKeepTheirSecretsAndSecretsOfGoneInstancesAreDeleted(VertxTestContext ctx) {
    String running = ec2.preload(appTags(CLUSTER, "app-1"), "running");
    ec2.preload(appTags(CLUSTER, "app-2"), "terminated");
    String path = "/chat/" + CLUSTER + "/";
    for (int n = 1; n <= 12; n++) { // more than one page of GetParametersByPath
      ssm.preload(path + "app-" + n, "SecureString", "{\"CHAT_STORE_PASSWORD\":\"pw-" + n + "\"}");
    }
    ssm.preload("/chat/other-cluster/app-3", "SecureString", "{}");

    provider.leftovers()
        .compose(found -> provider.stop(running).map(found))
        .onComplete(ctx.succeeding(found -> ctx.verify(() -> {
          assertEquals(List.of(new InstanceProvider.Leftover(running, "app-1")), found);
          List<String> deleted = ssm.calls("DeleteParameter").stream().map(c -> c.body().getString("Name")).toList();
          assertEquals(12, deleted.size(), deleted.toString());
          assertEquals(path + "app-1", deleted.get(deleted.size() - 1), "the leftover's secrets stay until it stops");
          assertEquals(List.of("/chat/other-cluster/app-3"), ssm.names(), "another cluster's secrets are not touched");
          List<SsmJsonApiDouble.Call> listings = ssm.calls("GetParametersByPath");
          assertEquals(2, listings.size(), "every page read");
          assertEquals("/chat/" + CLUSTER, listings.get(0).body().getString("Path"));
          assertEquals(Boolean.FALSE, listings.get(0).body().getBoolean("WithDecryption", false));
          ctx.completeNow();
        })));
  }

  @Test
  void locateFindsTheInstanceByItsFleetIdAndStoppingItDeletesItsSecrets(VertxTestContext ctx) {
    ec2.preload(appTags(CLUSTER, "app-1"), "running");
    String wanted = ec2.preload(appTags(CLUSTER, "app-2"), "running");
    ec2.preload(appTags("other-cluster", "app-3"), "running");
    ec2.preload(appTags(CLUSTER, "app-3"), "terminated");
    String path = "/chat/" + CLUSTER + "/";
    ssm.preload(path + "app-1", "SecureString", "{}");
    ssm.preload(path + "app-2", "SecureString", "{}");

    provider.locate("app-2")
        .compose(found -> provider.locate("app-3").map(none -> {
          assertNull(none, "neither another cluster's nor a terminated one");
          return found;
        }))
        .compose(found -> provider.stop(found).map(found))
        .onComplete(ctx.succeeding(found -> ctx.verify(() -> {
          assertEquals(wanted, found);
          assertEquals(Map.of(
              "tag:cluster", List.of(CLUSTER),
              "tag:role", List.of("app"),
              "instance-state-name", List.of("pending", "running"),
              "tag:chat:instance-id", List.of("app-2")), filters(ec2.calls("DescribeInstances").get(0)));
          assertEquals("terminated", ec2.state(wanted).orElseThrow());
          assertEquals(List.of(path + "app-2"), ssm.calls("DeleteParameter").stream()
              .map(c -> c.body().getString("Name")).toList(), "its secrets went with it, and only its");
          ctx.completeNow();
        })));
  }

  @Test
  void withTlsTheInstanceServesThePairItsImageHolds(@TempDir Path dir) throws Exception {
    InstanceSpec tls = new InstanceSpec(SPEC.instanceId(), SPEC.brokerUrl(), SPEC.storeUrl(), SPEC.capacity(),
        CLUSTER, new TlsOptions(true, Path.of("/login/only/server.crt"), Path.of("/login/only/server.key")));
    String script = Ec2InstanceProvider.renderUserData(Ec2InstanceProvider.loadTemplate(), tls, options);
    assertTrue(script.contains("TLS='true'\n"), script);
    assertFalse(script.contains("/login/only"), "the login role's paths mean nothing on the instance");

    List<String> argv = runScript(script, dir, Map.of("CHAT_ADVERTISE_HOST", "10.0.0.5"));
    assertEquals(List.of("--tls", "--tls-cert", "/opt/chat/tls/server.crt", "--tls-key", "/opt/chat/tls/server.key"),
        argv.subList(argv.size() - 5, argv.size()));
    argv = runScript(script, dir, Map.of("CHAT_ADVERTISE_HOST", "10.0.0.5", "CHAT_TLS_CERT", "/etc/chat/c.pem",
        "CHAT_TLS_KEY", "/etc/chat/k.pem"));
    assertEquals(List.of("--tls", "--tls-cert", "/etc/chat/c.pem", "--tls-key", "/etc/chat/k.pem"),
        argv.subList(argv.size() - 5, argv.size()));

    String plain = Ec2InstanceProvider.renderUserData(Ec2InstanceProvider.loadTemplate(), SPEC, options);
    assertTrue(plain.contains("TLS='false'\n"), plain);
    assertFalse(runScript(plain, dir, Map.of("CHAT_ADVERTISE_HOST", "10.0.0.5")).contains("--tls"));
  }

  @Test
  void optionsFromJsonApplyDefaults() {
    Ec2Options defaults = Ec2Options.fromJson(new JsonObject().put("imageId", "ami-1"));
    assertEquals("t3.micro", defaults.instanceType());
    assertEquals("chat", defaults.cluster());
    assertEquals(7000, defaults.appPort());
    assertEquals(List.of(), defaults.securityGroupIds());
    assertNull(defaults.region());
    assertNull(defaults.endpointOverride());
    assertNull(defaults.subnetId());
    assertEquals("chat", defaults.secretsPrefix());
    assertNull(defaults.secretsKmsKeyId());
    assertNull(defaults.ssmEndpointOverride());
    assertEquals("/chat/chat/app-1", defaults.secretsParameter("app-1"));

    Ec2Options full = Ec2Options.fromJson(new JsonObject()
        .put("imageId", "ami-2").put("instanceType", "c7g.large").put("subnetId", "subnet-1")
        .put("securityGroupIds", new JsonArray().add("sg-1").add("sg-2")).put("keyName", "k")
        .put("instanceProfile", "arn:aws:iam::1:instance-profile/p").put("cluster", "blue")
        .put("appPort", 7443).put("region", "eu-west-1").put("endpointOverride", "http://127.0.0.1:1"));
    assertEquals(new Ec2Options("ami-2", "c7g.large", "subnet-1", List.of("sg-1", "sg-2"), "k",
        "arn:aws:iam::1:instance-profile/p", "blue", 7443, "eu-west-1", URI.create("http://127.0.0.1:1")), full);
    assertTrue(full.instanceProfileIsArn());
    assertFalse(Ec2Options.fromJson(new JsonObject().put("imageId", "a").put("instanceProfile", "p")).instanceProfileIsArn());
    assertThrows(IllegalArgumentException.class, () -> Ec2Options.fromJson(new JsonObject()));

    Ec2Options secrets = Ec2Options.fromJson(new JsonObject().put("imageId", "ami-3").put("cluster", "blue")
        .put("secretsPrefix", "/org/chat/").put("secretsKmsKeyId", "alias/chat")
        .put("ssmEndpointOverride", "http://127.0.0.1:2"));
    assertEquals("org/chat", secrets.secretsPrefix());
    assertEquals("/org/chat/blue/app-1", secrets.secretsParameter("app-1"));
    assertEquals("alias/chat", secrets.secretsKmsKeyId());
    assertEquals(URI.create("http://127.0.0.1:2"), secrets.ssmEndpointOverride());
    assertThrows(IllegalArgumentException.class, () -> Ec2Options.of("ami-1").withSecretsPrefix("aws/chat"));
    assertThrows(IllegalArgumentException.class, () -> Ec2Options.of("ami-1").withSecretsPrefix("my chat"));
  }

  // ---- helpers ----

  private static Map<String, String> appTags(String cluster, String instanceId) {
    return Map.of("cluster", cluster, "role", "app", "chat:instance-id", instanceId);
  }

  private static Map<String, List<String>> filters(Ec2QueryApiDouble.Call call) {
    Map<String, List<String>> filters = new java.util.LinkedHashMap<>();
    for (int f = 1; call.param("Filter." + f + ".Name") != null; f++) {
      filters.put(call.param("Filter." + f + ".Name"), call.list("Filter." + f + ".Value"));
    }
    return filters;
  }

  private static int bashSyntaxCheck(String script, Path dir) throws IOException, InterruptedException {
    Path file = Files.writeString(dir.resolve("syntax-check.sh"), script);
    Process bash = new ProcessBuilder("bash", "-n", file.toString()).inheritIO().start();
    assertTrue(bash.waitFor(10, TimeUnit.SECONDS));
    return bash.exitValue();
  }

  /**
   * Runs the rendered script with a stand-in {@code java} first on PATH that records its
   * arguments NUL-separated, and returns them: the exact argv the real JVM would get.
   */
  private static List<String> runScript(String script, Path dir, Map<String, String> env)
      throws IOException, InterruptedException {
    Path bin = Files.createDirectories(dir.resolve("bin"));
    Path argvFile = dir.resolve("argv");
    Files.deleteIfExists(argvFile);
    writeExecutable(bin.resolve("java"), "#!/bin/bash\nprintf '%s\\0' \"$@\" > \"$ARGV_OUT\"\n"
        + "for v in CHAT_SECRETS_PARAMETER AWS_REGION; do if [ -n \"${!v+x}\" ]; then printf '%s=%s\\0' \"$v\" \"${!v}\"; fi; done"
        + " > \"$ENV_OUT\"\n");
    Path jar = dir.resolve("chat.jar");
    if (!Files.exists(jar)) {
      Files.write(jar, new byte[] {'P', 'K'});
    }
    Path file = Files.writeString(dir.resolve("user-data.sh"), script);

    ProcessBuilder pb = new ProcessBuilder("bash", file.toString()).redirectErrorStream(true);
    pb.environment().remove("CHAT_ADVERTISE_HOST");
    pb.environment().remove("CHAT_SECRETS_PARAMETER");
    pb.environment().remove("AWS_REGION");
    pb.environment().put("ENV_OUT", dir.resolve("env").toString());
    pb.environment().put("PATH", bin + ":" + System.getenv("PATH"));
    pb.environment().put("CHAT_JAR", jar.toString());
    pb.environment().put("ARGV_OUT", argvFile.toString());
    pb.environment().putAll(env);
    Process process = pb.start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(process.waitFor(20, TimeUnit.SECONDS), "script did not finish");
    assertEquals(0, process.exitValue(), output);
    String recorded = Files.readString(argvFile);
    assertTrue(recorded.endsWith("\0"), recorded);
    return new ArrayList<>(Arrays.asList(recorded.substring(0, recorded.length() - 1).split("\0", -1)));
  }

  /** The variables the stand-in java saw that matter to reading the secrets, from the last {@link #runScript}. */
  private static Map<String, String> scriptEnvironment(Path dir) throws IOException {
    Map<String, String> env = new java.util.LinkedHashMap<>();
    for (String entry : Files.readString(dir.resolve("env")).split("\0")) {
      int eq = entry.indexOf('=');
      if (eq > 0) {
        env.put(entry.substring(0, eq), entry.substring(eq + 1));
      }
    }
    return env;
  }

  private static void writeExecutable(Path path, String content) throws IOException {
    Files.createDirectories(path.getParent());
    Files.writeString(path, content);
    Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rwxr-xr-x"));
  }

  /** The address an instance's command line advertises. */
  private static String advertised(List<String> argv) {
    return argv.get(argv.indexOf("--advertise-host") + 1);
  }
}
