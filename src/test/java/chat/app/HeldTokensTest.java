package chat.app;

import chat.store.User;
import chat.store.UserRepository;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Which token's user a server may act for without reading the token again, and for how long. */
class HeldTokensTest {
  private static UserRepository.Held held(long id, long nextTouchAt) {
    return new UserRepository.Held(new User(id, "u" + id, "c" + id, null, true), nextTouchAt);
  }

  @Test
  void aTokenIsHeldUntilItsLastUseIsDueToBeWritten() {
    HeldTokens tokens = new HeldTokens(10);
    tokens.put("h1", held(7, 1_000), 0);
    assertEquals(7, tokens.user("h1", 999));
    assertEquals(-1, tokens.user("h1", 1_000));
    assertEquals(-1, tokens.user("h2", 0), "a token never seen");
  }

  @Test
  void aForgottenTokenIsReadAgain() {
    HeldTokens tokens = new HeldTokens(10);
    tokens.put("h1", held(7, 1_000), 0);
    tokens.forget("h1");
    assertEquals(-1, tokens.user("h1", 0));
  }

  @Test
  void atMostTheBoundIsKeptTheStalestGoingFirst() {
    HeldTokens tokens = new HeldTokens(2);
    tokens.put("h1", held(1, 1_000), 0);
    tokens.put("h2", held(2, 1_000), 0);
    tokens.put("h3", held(3, 1_000), 0);
    assertEquals(2, tokens.size());
    assertEquals(-1, tokens.user("h1", 0));
    assertEquals(2, tokens.user("h2", 0));
    assertEquals(3, tokens.user("h3", 0));
  }
}
