package chat.client;

import chat.protocol.Command;
import chat.protocol.Messages;
import chat.protocol.Reply;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.List;

/**
 * A command cut off after it was sent (its server went away before it answered) may have been
 * done. It is sent again, and when the second answer says it was already done, the first one
 * was: this table says which answers mean that, and which need a read to be sure. A post or a
 * message has no such answer: sent again, it is done again (at least once). No I/O.
 */
final class InDoubt {
  private InDoubt() { }

  /**
   * How to settle: print {@code reply}; or, when {@code check} is not null, send that read
   * (a typed line, user first) and print {@code reply} if {@link #confirms} holds for its
   * answer, else the second answer as it came.
   */
  record Verdict(JsonObject reply, String check, String expected) {
    static Verdict as(JsonObject reply) {
      return new Verdict(reply, null, null);
    }

    /** Whether the read's answer shows what the first attempt would have made (a read with nothing expected: that it succeeds). */
    boolean confirms(JsonObject answer, Command read) {
      if (expected == null) {
        return Reply.isOk(answer);
      }
      return Reply.isOk(answer) && answer.getValue(read.listKey) instanceof JsonArray items && items.contains(expected);
    }
  }

  /** The verdict on {@code again}, the answer to the second attempt of the typed {@code words}. */
  static Verdict settle(Command c, List<String> words, JsonObject again) {
    if (c == null || Reply.isOk(again) || words.size() < 2) {
      return Verdict.as(again);
    }
    String message = again.getString("message", "");
    String user = words.get(1);
    String arg = words.size() > 2 ? words.get(2) : "";
    return switch (c) {
      // the account is there with this password: logging in says so (the check's token is given up again)
      case REGISTER -> message.equals(Messages.alreadyUsed(user)) && words.size() == 3
          ? new Verdict(Reply.ok(Messages.SUCCESS), Command.LOGIN.word + " " + user + " " + arg, null) : Verdict.as(again);
      case INVITE -> message.equals(Messages.ALREADY_INVITED) ? Verdict.as(Reply.ok(Messages.SUCCESS)) : Verdict.as(again);
      case JOIN_GROUP -> message.equals(Messages.alreadyMember(arg)) ? Verdict.as(Reply.ok(Messages.SUCCESS))
          : Verdict.as(again);
      case ACCEPT_INVITE -> message.equals(Messages.didNotInvite(arg))
          ? new Verdict(Reply.ok(Messages.SUCCESS), Command.LIST_FRIEND.word + " " + user, arg) : Verdict.as(again);
      case CREATE_GROUP -> message.equals(Messages.groupExists(arg))
          ? new Verdict(Reply.ok(Messages.SUCCESS), Command.LIST_JOINED.word + " " + user, arg) : Verdict.as(again);
      case LOGOUT -> message.equals(Messages.NOT_LOGIN) ? Verdict.as(Reply.ok(Messages.BYE)) : Verdict.as(again);
      case DELETE -> message.equals(Messages.NOT_LOGIN) ? Verdict.as(Reply.ok(Messages.SUCCESS)) : Verdict.as(again);
      default -> Verdict.as(again);
    };
  }
}
