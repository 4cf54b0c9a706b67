package chat.fleet;

import com.sun.net.httpserver.HttpExchange;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * A stand-in for SSM Parameter Store on 127.0.0.1, good enough for the real AWS SDK: it speaks the
 * AWS JSON 1.1 protocol (POST, {@code X-Amz-Target: AmazonSSM.<Operation>}, JSON bodies, errors as
 * {@code {"__type": ..., "message": ...}}) for PutParameter, GetParameter, DeleteParameter,
 * AddTagsToResource and GetParametersByPath, and nothing else.
 *
 * <p>Like SSM it refuses Tags together with Overwrite, answers unknown names with HTTP 400
 * {@code ParameterNotFound}, and returns a SecureString's plain value only when asked to decrypt.
 * Every request is recorded with its body and signing key id, so tests can assert what was sent.
 */
public final class SsmJsonApiDouble extends AwsApiDouble<SsmJsonApiDouble, SsmJsonApiDouble.Call> {

  public static final String CONTENT_TYPE = "application/x-amz-json-1.1";
  public static final String TARGET_PREFIX = "AmazonSSM.";
  public static final String DEFAULT_KEY = "alias/aws/ssm";
  private static final String ACCOUNT = "123456789012";
  /** SSM's own rule for names: letters, digits, {@code _.-}, and slashes between path levels. */
  private static final Pattern NAME = Pattern.compile("/?[A-Za-z0-9_.\\-]+(/[A-Za-z0-9_.\\-]+)*");

  /** One request as received: the operation, its JSON body, the signing key id and the content type. */
  public record Call(String operation, JsonObject body, String accessKeyId, String contentType) { }

  /** A stored parameter, as a test may inspect it. */
  public record Stored(String name, String type, String value, String keyId, long version,
                       Map<String, String> tags, Instant lastModified) { }

  private final Map<String, Stored> parameters = new TreeMap<>();

  public SsmJsonApiDouble() {
    super("SSM", "The JSON protocol", CONTENT_TYPE, "InternalServerError", Call::operation);
  }

  /** Seeds a parameter as if written earlier. */
  public synchronized SsmJsonApiDouble preload(String name, String type, String value) {
    parameters.put(name, new Stored(name, type, value, type.equals("SecureString") ? DEFAULT_KEY : null, 1,
        Map.of(), Instant.now()));
    return this;
  }

  /** A parameter as stored now, if it exists. */
  public synchronized Optional<Stored> parameter(String name) {
    return Optional.ofNullable(parameters.get(name));
  }

  /** Names of every stored parameter, sorted. */
  public synchronized List<String> names() {
    return List.copyOf(parameters.keySet());
  }

  // ---- request handling ----

  @Override
  String answer(HttpExchange exchange, String requestId) throws IOException {
    String target = exchange.getRequestHeaders().getFirst("X-Amz-Target");
    String operation = target != null && target.startsWith(TARGET_PREFIX) ? target.substring(TARGET_PREFIX.length()) : "";
    String contentType = exchange.getRequestHeaders().getFirst("Content-Type");
    String text = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
    JsonObject body;
    try {
      body = text.isEmpty() ? new JsonObject() : new JsonObject(text);
    } catch (RuntimeException e) {
      throw new ApiError(400, "SerializationException", "Start of structure or map found where not expected.");
    }
    record(new Call(operation, body, accessKeyId(exchange), contentType));
    if (!signed(exchange)) {
      throw new ApiError(400, "MissingAuthenticationTokenException", "Missing Authentication Token");
    }
    if (contentType == null || !contentType.startsWith(CONTENT_TYPE)) {
      throw new ApiError(400, "SerializationException", "Content-Type must be " + CONTENT_TYPE);
    }
    injectedFailure(operation);
    return dispatch(operation, body).encode();
  }

  @Override
  String error(String code, String message, String requestId) {
    return new JsonObject().put("__type", code).put("message", message).encode();
  }

  private synchronized JsonObject dispatch(String operation, JsonObject body) {
    return switch (operation) {
      case "PutParameter" -> putParameter(body);
      case "GetParameter" -> getParameter(body);
      case "DeleteParameter" -> deleteParameter(body);
      case "AddTagsToResource" -> addTagsToResource(body);
      case "GetParametersByPath" -> getParametersByPath(body);
      default -> throw new ApiError(400, "UnknownOperationException", "Unknown operation " + operation);
    };
  }

  private JsonObject putParameter(JsonObject body) {
    String name = validName(body.getString("Name"));
    String value = body.getString("Value");
    if (value == null || value.isEmpty()) {
      throw new ApiError(400, "ValidationException",
          "1 validation error detected: Value '' at 'value' failed to satisfy constraint: Member must have length greater than or equal to 1.");
    }
    String type = body.getString("Type", "String");
    if (!List.of("String", "StringList", "SecureString").contains(type)) {
      throw new ApiError(400, "ValidationException", "Invalid parameter type " + type);
    }
    boolean overwrite = body.getBoolean("Overwrite", false);
    JsonArray tags = body.getJsonArray("Tags");
    if (overwrite && tags != null) {
      throw new ApiError(400, "ValidationException", "Invalid request: tags and overwrite can't be used together. "
          + "To create a parameter with tags, please remove overwrite flag. To update tags for an existing parameter, "
          + "please use AddTagsToResource or RemoveTagsFromResource.");
    }
    Stored existing = parameters.get(name);
    if (existing != null && !overwrite) {
      throw new ApiError(400, "ParameterAlreadyExists",
          "The parameter already exists. To overwrite this value, set the overwrite option in the request to true.");
    }
    String keyId = type.equals("SecureString") ? body.getString("KeyId", DEFAULT_KEY) : null;
    long version = existing == null ? 1 : existing.version() + 1;
    Map<String, String> kept = existing == null ? tagMap(tags) : existing.tags();
    parameters.put(name, new Stored(name, type, value, keyId, version, kept, Instant.now()));
    return new JsonObject().put("Version", version).put("Tier", "Standard");
  }

  private JsonObject getParameter(JsonObject body) {
    Stored p = existing(body.getString("Name"));
    return new JsonObject().put("Parameter", parameterJson(p, body.getBoolean("WithDecryption", false)));
  }

  private JsonObject deleteParameter(JsonObject body) {
    Stored p = existing(body.getString("Name"));
    parameters.remove(p.name());
    return new JsonObject();
  }

  private JsonObject addTagsToResource(JsonObject body) {
    if (!"Parameter".equals(body.getString("ResourceType"))) {
      throw new ApiError(400, "InvalidResourceType", "The resource type is not valid for this double");
    }
    Stored p = parameters.get(body.getString("ResourceId"));
    if (p == null) {
      throw new ApiError(400, "InvalidResourceId", "The resource ID \"" + body.getString("ResourceId") + "\" is not valid.");
    }
    Map<String, String> tags = new LinkedHashMap<>(p.tags());
    tags.putAll(tagMap(body.getJsonArray("Tags")));
    parameters.put(p.name(), new Stored(p.name(), p.type(), p.value(), p.keyId(), p.version(),
        Collections.unmodifiableMap(tags), p.lastModified()));
    return new JsonObject();
  }

  /** One level under the path unless Recursive; pages of MaxResults (at most 10, as SSM). */
  private JsonObject getParametersByPath(JsonObject body) {
    String path = body.getString("Path");
    if (path == null || !path.startsWith("/")) {
      throw new ApiError(400, "ValidationException", "The parameter doesn't meet the parameter name requirements.");
    }
    String base = path.endsWith("/") ? path : path + "/";
    boolean recursive = body.getBoolean("Recursive", false);
    List<Stored> matching = parameters.values().stream()
        .filter(p -> p.name().startsWith(base))
        .filter(p -> recursive || p.name().indexOf('/', base.length()) < 0)
        .toList();
    int max = body.getInteger("MaxResults", 10);
    if (max < 1 || max > 10) {
      throw new ApiError(400, "ValidationException", "MaxResults must be between 1 and 10");
    }
    int from = 0;
    if (body.getString("NextToken") != null) {
      from = pageStart(body.getString("NextToken"));
    }
    int to = Math.min(matching.size(), from + max);
    JsonArray page = new JsonArray();
    boolean decrypt = body.getBoolean("WithDecryption", false);
    matching.subList(Math.min(from, to), to).forEach(p -> page.add(parameterJson(p, decrypt)));
    JsonObject answer = new JsonObject().put("Parameters", page);
    if (to < matching.size()) {
      answer.put("NextToken", pageToken(to));
    }
    return answer;
  }

  /** Without decryption a SecureString comes back as ciphertext, as SSM does. */
  private static JsonObject parameterJson(Stored p, boolean decrypt) {
    String value = p.type().equals("SecureString") && !decrypt
        ? Base64.getEncoder().encodeToString(("encrypted:" + p.keyId() + ":" + p.value().hashCode()).getBytes(StandardCharsets.UTF_8))
        : p.value();
    return new JsonObject()
        .put("Name", p.name())
        .put("Type", p.type())
        .put("Value", value)
        .put("Version", p.version())
        // the JSON protocol sends timestamps as epoch seconds
        .put("LastModifiedDate", BigDecimal.valueOf(p.lastModified().toEpochMilli(), 3))
        .put("ARN", "arn:aws:ssm:us-east-1:" + ACCOUNT + ":parameter" + (p.name().startsWith("/") ? "" : "/") + p.name())
        .put("DataType", "text");
  }

  private Stored existing(String name) {
    Stored p = name == null ? null : parameters.get(name);
    if (p == null) {
      throw new ApiError(400, "ParameterNotFound", "Parameter " + name + " not found.");
    }
    return p;
  }

  private static String validName(String name) {
    if (name == null || !NAME.matcher(name).matches() || name.replaceFirst("^/", "").toLowerCase().matches("^(aws|ssm).*")) {
      throw new ApiError(400, "ValidationException", "The parameter name is not valid: " + name);
    }
    return name;
  }

  private static Map<String, String> tagMap(JsonArray tags) {
    Map<String, String> map = new LinkedHashMap<>();
    if (tags != null) {
      for (int n = 0; n < tags.size(); n++) {
        JsonObject tag = tags.getJsonObject(n);
        map.put(tag.getString("Key"), tag.getString("Value", ""));
      }
    }
    return Collections.unmodifiableMap(map);
  }
}
