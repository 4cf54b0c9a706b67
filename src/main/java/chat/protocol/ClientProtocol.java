package chat.protocol;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/** What the client does with a typed line and with a reply: PROTOCOL.md section 3, no I/O. */
public final class ClientProtocol {
  public static final String EXIT = "exit";

  private ClientProtocol() { }

  /**
   * The request text for a typed line. register and login go as typed (words joined by single
   * spaces); otherwise the second word is replaced by that user's token, or removed when the
   * user has no token here.
   */
  public static String rewrite(String line, Function<String, String> tokenOf) {
    List<String> words = new ArrayList<>(Request.parse(line).words());
    if (words.size() < 2) {
      return String.join(" ", words);
    }
    Command c = Command.byWord(words.get(0));
    if (c != null && !c.takesToken()) {
      return String.join(" ", words);
    }
    String token = tokenOf.apply(words.get(1));
    if (token == null) {
      words.remove(1);
    } else {
      words.set(1, token);
    }
    return String.join(" ", words);
  }

  /** The lines the client prints for a reply to command {@code c} (null for unknown words). */
  public static List<String> print(Command c, JsonObject reply) {
    String key = c == null ? null : c.listKey;
    if (key != null && Reply.isOk(reply) && reply.getValue(key) instanceof JsonArray items) {
      return printList(key, items);
    }
    String message = reply.getString("message");
    return List.of(message != null ? message : reply.encode());
  }

  private static List<String> printList(String key, JsonArray items) {
    if (items.isEmpty()) {
      return List.of(switch (key) {
        case "invite" -> Messages.NO_INVITATIONS;
        case "friend" -> Messages.NO_FRIENDS;
        case "post" -> Messages.NO_POSTS;
        default -> Messages.NO_GROUPS;
      });
    }
    List<String> lines = new ArrayList<>(items.size());
    for (Object item : items) {
      if (item instanceof JsonObject post) {
        lines.add(post.getString("id") + ": " + post.getString("message"));
      } else {
        lines.add(String.valueOf(item));
      }
    }
    return lines;
  }

  /** The printed line of a delivery body; null for a body that is not a delivery. */
  public static String delivery(JsonObject body) {
    Integer type = body.getInteger("type");
    String from = body.getString("from");
    String to = body.getString("to");
    String message = body.getString("message");
    if (type == null || from == null || to == null || message == null) {
      return null;
    }
    return type == Deliveries.GROUP
        ? "<<<" + from + "->GROUP<" + to + ">: " + message + ">>>"
        : "<<<" + from + "->" + to + ": " + message + ">>>";
  }
}
