package chat.fleet;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Decides whether an identity policy allows one authorization request, the way IAM does for the
 * few parts of the policy language the deploy kit uses: Allow statements, actions and resources
 * with {@code *} and {@code ?} wildcards, and the condition operators {@code StringEquals},
 * {@code StringLike} and {@code ForAllValues:StringEquals}. Anything else in a policy (Deny,
 * NotAction, another operator) is refused when the policy is read, so a kit policy cannot use
 * a part of the language this check does not understand.
 */
final class IamPolicy {

  /** One authorization AWS makes for a call: an action on one resource, with the request's context keys. */
  record Request(String action, String resource, Map<String, List<String>> context) {
    @Override
    public String toString() {
      return action + " on " + resource + " " + context;
    }
  }

  private record Statement(String sid, List<String> actions, List<String> resources, JsonObject condition) { }

  private static final Set<String> OPERATORS = Set.of("StringEquals", "StringLike", "ForAllValues:StringEquals");

  private final List<Statement> statements = new ArrayList<>();

  IamPolicy(JsonObject document) {
    if (!"2012-10-17".equals(document.getString("Version"))) {
      throw new IllegalArgumentException("policy version must be 2012-10-17");
    }
    for (Object item : document.getJsonArray("Statement")) {
      JsonObject s = (JsonObject) item;
      for (String key : s.fieldNames()) {
        if (!Set.of("Sid", "Effect", "Action", "Resource", "Condition").contains(key)) {
          throw new IllegalArgumentException("statement " + s.getString("Sid") + " uses " + key);
        }
      }
      if (!"Allow".equals(s.getString("Effect"))) {
        throw new IllegalArgumentException("statement " + s.getString("Sid") + " is not an Allow");
      }
      JsonObject condition = s.getJsonObject("Condition", new JsonObject());
      for (String operator : condition.fieldNames()) {
        if (!OPERATORS.contains(operator)) {
          throw new IllegalArgumentException("statement " + s.getString("Sid") + " uses the operator " + operator);
        }
      }
      statements.add(new Statement(s.getString("Sid"), strings(s.getValue("Action")), strings(s.getValue("Resource")),
          condition));
    }
  }

  /** Every action the policy names, as written. */
  Set<String> actions() {
    Set<String> all = new LinkedHashSet<>();
    statements.forEach(s -> all.addAll(s.actions()));
    return all;
  }

  /** The Sid of the first statement that allows {@code request}, or null when none does. */
  String allowedBy(Request request) {
    for (Statement s : statements) {
      if (s.actions().stream().anyMatch(a -> glob(a, request.action(), true))
          && s.resources().stream().anyMatch(r -> glob(r, request.resource(), false))
          && holds(s.condition(), request.context())) {
        return s.sid();
      }
    }
    return null;
  }

  boolean allows(Request request) {
    return allowedBy(request) != null;
  }

  private static boolean holds(JsonObject condition, Map<String, List<String>> context) {
    for (String operator : condition.fieldNames()) {
      JsonObject keys = condition.getJsonObject(operator);
      for (String key : keys.fieldNames()) {
        List<String> wanted = strings(keys.getValue(key));
        List<String> present = context.getOrDefault(key, List.of());
        boolean ok = switch (operator) {
          // a key missing from the request never satisfies a single-valued operator
          case "StringEquals" -> !present.isEmpty() && present.stream().allMatch(wanted::contains);
          case "StringLike" -> !present.isEmpty()
              && present.stream().allMatch(v -> wanted.stream().anyMatch(w -> glob(w, v, false)));
          // ...and always satisfies ForAllValues, which is about the values that are there
          case "ForAllValues:StringEquals" -> present.stream().allMatch(wanted::contains);
          default -> throw new IllegalStateException(operator);
        };
        if (!ok) {
          return false;
        }
      }
    }
    return true;
  }

  /** IAM's wildcards: {@code *} any run of characters, {@code ?} one; actions compare without case. */
  private static boolean glob(String pattern, String value, boolean ignoreCase) {
    StringBuilder regex = new StringBuilder();
    for (char c : pattern.toCharArray()) {
      switch (c) {
        case '*' -> regex.append(".*");
        case '?' -> regex.append('.');
        default -> regex.append(Pattern.quote(String.valueOf(c)));
      }
    }
    return Pattern.compile(regex.toString(), ignoreCase ? Pattern.CASE_INSENSITIVE : 0).matcher(value).matches();
  }

  private static List<String> strings(Object value) {
    if (value instanceof String text) {
      return List.of(text);
    }
    if (value instanceof JsonArray array) {
      return array.stream().map(String.class::cast).toList();
    }
    throw new IllegalArgumentException("expected a string or an array of strings: " + value);
  }
}
