package chat.config;

import io.vertx.config.ConfigStoreOptions;
import io.vertx.config.spi.ConfigProcessor;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The environment layer of the configuration. Every key of the defaults, section or setting,
 * has one variable by a single rule ({@link #name}): {@code CHAT_}, then the dotted key with
 * its camelCase words and its parts separated by {@code _}, upper-cased
 * ({@code fleet.graceSeconds} is {@code CHAT_FLEET_GRACE_SECONDS}, {@code limits} is
 * {@code CHAT_LIMITS}). A few older names that do not follow the rule still work
 * ({@link #ALIASES}). Other variables, {@code CHAT_} or not, are not read.
 *
 * <p>Also the vertx-config format {@value #FORMAT}: it turns the variables a store read
 * (vertx-config's {@code env} store, or a {@code json} store of given variables) into
 * settings typed like the defaults.
 */
public final class EnvSettings implements ConfigProcessor {
  public static final String PREFIX = "CHAT_";
  /** The vertx-config format name of this layer (registered as a {@link ConfigProcessor}). */
  public static final String FORMAT = "chat-env";

  /** Older names that do not follow the rule, and the key each sets; the rule's name wins over its alias. */
  public static final Map<String, String> ALIASES = Map.of(
      "CHAT_INSTANCE_SECRET", "app.instanceSecret",
      "CHAT_PROVIDER", "fleet.provider",
      "CHAT_CAPACITY", "fleet.capacity",
      "CHAT_TOKEN_SECRET", "tokens.secret");

  /** The variable of a dotted key by the rule. */
  public static String name(String dottedKey) {
    return PREFIX + dottedKey.replaceAll("(?<=[a-z0-9])(?=[A-Z])", "_").replace('.', '_').toUpperCase(Locale.ROOT);
  }

  /** Every dotted key of {@code json}, sections included, each section before what it holds, in the file's order. */
  public static List<String> keys(JsonObject json) {
    List<String> keys = new ArrayList<>();
    addKeys(json, "", keys);
    return keys;
  }

  private static void addKeys(JsonObject json, String prefix, List<String> keys) {
    for (String field : json.fieldNames()) {
      String key = prefix + field;
      keys.add(key);
      if (json.getValue(field) instanceof JsonObject section) {
        addKeys(section, key + ".", keys);
      }
    }
  }

  /**
   * Every variable this layer reads and the key it sets, in the order they apply: the
   * aliases, then the rule's names, sections before their settings (the more specific wins).
   */
  public static Map<String, String> variables(JsonObject defaults) {
    Map<String, String> variables = new LinkedHashMap<>(ALIASES);
    keys(defaults).stream()
        .sorted(Comparator.comparingInt(key -> key.split("\\.").length))
        .forEach(key -> variables.put(name(key), key));
    return variables;
  }

  /** The settings the given variables make, typed like the defaults; empty values and other names are ignored. */
  public static JsonObject settings(Map<String, ?> env, JsonObject defaults) {
    JsonObject settings = new JsonObject();
    variables(defaults).forEach((name, key) -> {
      Object value = env.get(name);
      if (value != null && !value.toString().isEmpty()) {
        ChatConfig.put(settings, key, ChatConfig.typed(name, ChatConfig.valueAt(defaults, key), value.toString()));
      }
    });
    return settings;
  }

  /** The process's environment, read by vertx-config's {@code env} store: only the variables of this layer. */
  public static ConfigStoreOptions processStore(JsonObject defaults) {
    return new ConfigStoreOptions().setType("env").setFormat(FORMAT).setConfig(new JsonObject()
        .put("raw-data", true).put("keys", new JsonArray(new ArrayList<>(variables(defaults).keySet()))));
  }

  /** Variables given as a map (a secrets parameter's entries, a test's environment), read as the environment is. */
  public static ConfigStoreOptions store(Map<String, String> env) {
    return new ConfigStoreOptions().setType("json").setFormat(FORMAT).setConfig(new JsonObject(new LinkedHashMap<>(env)));
  }

  @Override
  public String name() {
    return FORMAT;
  }

  @Override
  public Future<JsonObject> process(Vertx vertx, JsonObject configuration, Buffer input) {
    try {
      return Future.succeededFuture(settings(new JsonObject(input).getMap(), ChatConfig.defaults()));
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
  }
}
