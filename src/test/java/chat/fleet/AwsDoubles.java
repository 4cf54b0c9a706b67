package chat.fleet;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.nio.file.Path;
import java.util.Map;

/**
 * The EC2 and SSM doubles, and dummy credentials where the SDK's default chain finds them, for
 * each test of a class that registers it:
 * {@code @RegisterExtension final AwsDoubles aws = new AwsDoubles("AKID...");}. The credentials
 * are set before the test's {@code @BeforeEach} methods; a double starts when first asked for;
 * after the test's {@code @AfterEach} methods the doubles stop and the credentials are cleared.
 */
public final class AwsDoubles implements BeforeEachCallback, AfterEachCallback {
  public static final String REGION = "us-east-1";
  private static final String SECRET_KEY = "test-secret-not-real";

  private final String accessKey;
  private Ec2QueryApiDouble ec2;
  private SsmJsonApiDouble ssm;

  /** @param accessKey the access key id requests are signed with, as a test may check */
  public AwsDoubles(String accessKey) {
    this.accessKey = accessKey;
  }

  public synchronized Ec2QueryApiDouble ec2() {
    if (ec2 == null) {
      ec2 = new Ec2QueryApiDouble().start();
    }
    return ec2;
  }

  public synchronized SsmJsonApiDouble ssm() {
    if (ssm == null) {
      ssm = new SsmJsonApiDouble().start();
    }
    return ssm;
  }

  /**
   * Makes a child process's environment what an EC2 instance gives it: none of this process's
   * {@code CHAT_} or {@code AWS_} variables; an instance profile's credentials, {@code accessKey};
   * Parameter Store at the SSM double; and no AWS files ({@code dir} holds none) or metadata
   * service to fall back on. The region is left to the caller, as on EC2 the user data gives it.
   */
  public void instanceEnvironment(Map<String, String> env, String accessKey, Path dir) {
    env.keySet().removeIf(k -> k.startsWith("CHAT_") || k.startsWith("AWS_"));
    env.put("CHAT_SSM_ENDPOINT", ssm().endpoint().toString());
    env.put("AWS_ACCESS_KEY_ID", accessKey);
    env.put("AWS_SECRET_ACCESS_KEY", SECRET_KEY);
    env.put("AWS_EC2_METADATA_DISABLED", "true");
    env.put("AWS_CONFIG_FILE", dir.resolve("no-aws-config").toString());
    env.put("AWS_SHARED_CREDENTIALS_FILE", dir.resolve("no-aws-credentials").toString());
  }

  @Override
  public void beforeEach(ExtensionContext context) {
    System.setProperty("aws.accessKeyId", accessKey);
    System.setProperty("aws.secretAccessKey", SECRET_KEY);
    System.setProperty("aws.region", REGION);
  }

  @Override
  public synchronized void afterEach(ExtensionContext context) {
    try {
      if (ec2 != null) {
        ec2.close();
      }
      if (ssm != null) {
        ssm.close();
      }
    } finally {
      ec2 = null;
      ssm = null;
      System.clearProperty("aws.accessKeyId");
      System.clearProperty("aws.secretAccessKey");
      System.clearProperty("aws.region");
    }
  }
}
