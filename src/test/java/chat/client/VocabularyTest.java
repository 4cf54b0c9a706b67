package chat.client;

import chat.protocol.Command;
import chat.protocol.Deliveries;
import chat.protocol.Reply;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class VocabularyTest {
  private final List<String> loggedIn = new ArrayList<>();
  private final Vocabulary names = new Vocabulary(() -> loggedIn);

  private static JsonObject ok() {
    return Reply.message(Reply.OK, "Success!");
  }

  @Test
  void everyCommandHasItsArgumentsAndTheirCountMatchesItsUsage() {
    for (Command c : Command.values()) {
      List<Vocabulary.Arg> args = Vocabulary.ARGS.get(c);
      int words = c.usage.split(" ").length - 2;
      assertEquals(words, args.size(), c.word);
    }
  }

  @Test
  void theFirstWordCompletesToEveryCommandHelpAndExit() {
    List<String> words = names.candidates(List.of());
    assertEquals(Command.values().length + 2, words.size());
    assertEquals(words.stream().sorted().toList(), words);
    for (String w : List.of("register", "send-group", "help", "exit")) {
      assertEquals(true, words.contains(w), w);
    }
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "login                | alice,bob,me",
      "logout               | me",
      "send                 | me",
      "send me              | alice,bob,me",
      "send me bob          | ''",
      "send me bob hi there | ''",
      "invite me            | alice,bob,me",
      "accept-invite me     | alice,bob,me",
      "join-group me        | team",
      "send-group me        | team",
      "create-group me      | ''",
      "register             | ''",
      "login alice          | ''",
      "list-friend me       | ''",
      "unknown              | ''",
  })
  void laterWordsCompleteToNamesOfTheKindTheCommandExpects(String before, String expected) {
    loggedIn.add("me");
    names.learn("login alice pw", ok());
    names.learn("invite me bob", ok());
    names.learn("join-group me team", ok());
    List<String> want = expected.isEmpty() ? List.of() : List.of(expected.split(","));
    List<String> got = names.candidates(List.of(before.split(" ")));
    assertEquals(want, got);
  }

  @Test
  void namesAreLearnedFromListsPostsAndDeliveriesButNotFromFailures() {
    names.learn("list-friend me", ok().put("friend", new JsonArray().add("fred")));
    names.learn("list-invite me", ok().put("invite", new JsonArray().add("ida")));
    names.learn("list-group me", ok().put("group", new JsonArray().add("g1")));
    names.learn("list-joined me", ok().put("group", new JsonArray().add("g2")));
    names.learn("receive-post me", ok().put("post", new JsonArray().add(new JsonObject().put("id", "paul").put("message", "x"))));
    names.learnDelivery(Deliveries.direct("dora", "me", "hi"));
    names.learnDelivery(Deliveries.group("gus", "g3", "hi"));
    names.learn("invite me nobody", Reply.fail("No such user exist"));
    names.learn("join-group me nogroup", Reply.fail("No such group exist"));

    assertEquals(List.of("dora", "fred", "gus", "ida", "me", "paul"), names.candidates(List.of("send", "me")));
    assertEquals(List.of("g1", "g2", "g3"), names.candidates(List.of("join-group", "me")));
  }

  @Test
  void namesThatCouldControlTheTerminalOrAreNotOneWordAreNotLearned() {
    names.learnDelivery(Deliveries.direct("evil\u001b[2J", "two words", "hi"));
    names.learnDelivery(Deliveries.direct("\u202eevil", "", "hi"));
    assertEquals(List.of(), names.candidates(List.of("send", "me")));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "login alice pw        | login alice **        | login alice",
      "register  bob  s3cret | register  bob  ****** | register  bob",
      "login alice pw extra  | login alice ********  | login alice",
      "login alice           | login alice           | login alice",
      "login                 | login                 | login",
      "send alice bob pw     | send alice bob pw     | send alice bob pw",
      "hello alice pw        | hello alice pw        | hello alice pw",
  })
  void thePasswordOfRegisterAndLoginIsShownAsStarsAndLeftOutOfHistory(String line, String shown, String kept) {
    assertEquals(shown, Vocabulary.masked(line));
    assertEquals(kept, Vocabulary.withoutSecret(line));
  }

  @Test
  void aWordPastTheLastArgumentHasNoKindUnlessTheLastIsTheMessage() {
    assertNull(Vocabulary.argAt(Command.LIST_FRIEND, 2));
    assertEquals(Vocabulary.Arg.TEXT, Vocabulary.argAt(Command.SEND, 7));
    assertNull(Vocabulary.argAt(null, 1));
  }
}
