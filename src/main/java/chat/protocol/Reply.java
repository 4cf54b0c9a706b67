package chat.protocol;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.List;

/** Builds the JSON replies: {@code status} 0 or 1, then a message or a list. */
public final class Reply {
  public static final int OK = 0;
  public static final int FAILED = 1;

  private Reply() { }

  public static JsonObject ok() {
    return message(OK, Messages.SUCCESS);
  }

  public static JsonObject ok(String message) {
    return message(OK, message);
  }

  public static JsonObject fail(String message) {
    return message(FAILED, message);
  }

  public static JsonObject message(int status, String message) {
    return new JsonObject().put("status", status).put("message", message);
  }

  /** A list reply carries no message key: the 2018 client would print it. */
  public static JsonObject list(String key, List<?> items) {
    return new JsonObject().put("status", OK).put(key, new JsonArray(List.copyOf(items)));
  }

  public static JsonObject post(String author, String message) {
    return new JsonObject().put("id", author).put("message", message);
  }

  public static boolean isOk(JsonObject reply) {
    return reply.getInteger("status", FAILED) == OK;
  }
}
