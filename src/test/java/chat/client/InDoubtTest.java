package chat.client;

import chat.protocol.Command;
import chat.protocol.Messages;
import chat.protocol.Reply;
import chat.protocol.Request;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What the second answer to a command cut off after it was sent means, case by case. */
class InDoubtTest {

  @ParameterizedTest(name = "{0} answered again {1} -> {2} (check: {3})")
  @CsvSource(delimiter = '|', nullValues = "-", value = {
      "invite a b|Already invited|Success!|-",
      "invite a b|No such user exist|No such user exist|-",
      "join-group a g|Already a member of g|Success!|-",
      "join-group a g|No such group exist|No such group exist|-",
      "accept-invite a b|b did not invite you|Success!|list-friend a",
      "create-group a g|g already exist|Success!|list-joined a",
      "logout a|Not login yet|Bye!|-",
      "delete a|Not login yet|Success!|-",
      "register u p|u is already used|Success!|login u p",
      "post a hello|Not login yet|Not login yet|-",
      "send a b hi|b is not online|b is not online|-",
  })
  void anAnswerThatSaysItWasAlreadyDoneMeansTheFirstAttemptWas(String line, String again, String printed,
                                                               String check) {
    List<String> words = Request.parse(line).words();
    InDoubt.Verdict v = InDoubt.settle(Command.byWord(words.get(0)), words, Reply.fail(again));
    assertEquals(printed, v.reply().getString("message"));
    assertEquals(check, v.check());
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {"post a hello", "invite a b", "list-friend a"})
  void aSuccessfulSecondAnswerStandsAsItIs(String line) {
    List<String> words = Request.parse(line).words();
    JsonObject ok = Reply.ok(Messages.SUCCESS);
    assertEquals(ok, InDoubt.settle(Command.byWord(words.get(0)), words, ok).reply());
  }

  @org.junit.jupiter.api.Test
  void aCheckConfirmsOnlyWhatItLists() {
    List<String> words = Request.parse("accept-invite a b").words();
    InDoubt.Verdict v = InDoubt.settle(Command.ACCEPT_INVITE, words, Reply.fail(Messages.didNotInvite("b")));
    assertTrue(v.confirms(Reply.list("friend", List.of("c", "b")), Command.LIST_FRIEND));
    assertFalse(v.confirms(Reply.list("friend", List.of("c")), Command.LIST_FRIEND));
    assertFalse(v.confirms(Reply.fail(Messages.NOT_LOGIN), Command.LIST_FRIEND));
    assertEquals(new JsonArray().add("b"), new JsonArray().add(v.expected()));
  }
}
