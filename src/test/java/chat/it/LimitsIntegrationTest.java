package chat.it;

import chat.support.RunningService;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Names, quotas, bounded replies and write rates through the whole service on real sockets. */
class LimitsIntegrationTest {
  private static final String INVALID_NAME = "Invalid name: use letters, digits, _ - . (at most 32)";
  private static final String TOO_MANY_REQUESTS = "Too many requests, try again later";

  @TempDir
  Path data;
  @AutoClose
  private RunningService service;

  /** Registers {@code user} with the password "pw" and logs it in; returns the token. */
  private String login(String user) throws IOException {
    assertEquals("Success!", service.message("register " + user + " pw"));
    return service.login(user, "pw");
  }

  /** {@code inviter} invites {@code accepter}, who accepts. */
  private void befriend(String inviterToken, String accepter, String accepterToken, String inviter) throws IOException {
    assertEquals("Success!", service.message("invite " + inviterToken + " " + accepter));
    assertEquals("Success!", service.message("accept-invite " + accepterToken + " " + inviter));
  }

  @Test
  void unsafeNamesAreRefusedAndTakenNamesAnsweredAsBefore() throws Exception {
    service = RunningService.start(data);
    assertEquals(INVALID_NAME, service.message("register bob\u202egnp.exe pw"));
    assertEquals(INVALID_NAME, service.message("register al\u200bice pw"));
    assertEquals(INVALID_NAME, service.message("register p\u0430ypal pw"), "a Cyrillic a among Latin letters");
    assertEquals(INVALID_NAME, service.message("register e\u0301 pw"), "not NFC");
    assertEquals("Name too long", service.message("register " + "x".repeat(33) + " pw"));
    assertEquals("Success!", service.message("register Jos\u00e9 pw"));
    assertEquals("Success!", service.message("register \u5f20\u4f1f pw"));
    String bob = login("bob");
    assertEquals("bob is already used", service.message("register bob pw"));
    assertEquals("Usage: register <username> <password>", service.message("register bob\u202e"));

    assertEquals(INVALID_NAME, service.message("create-group " + bob + " t\u200beam"));
    assertEquals("Name too long", service.message("create-group " + bob + " " + "g".repeat(33)));
    assertEquals("Success!", service.message("create-group " + bob + " team"));
    assertEquals("team already exist", service.message("create-group " + bob + " team"));
    assertEquals(new JsonArray().add("team"), service.ask("list-group " + bob).getJsonArray("group"));
  }

  @Test
  void overlongMessagesAndPostsAreRefused() throws Exception {
    service = RunningService.start(data);
    String a = login("a");
    String b = login("b");
    befriend(a, "b", b, "a");
    String refused = "Message too long (at most 4096 characters)";
    assertEquals(refused, service.message("post " + a + " " + "p".repeat(4097)));
    assertEquals(refused, service.message("send " + a + " b " + "s".repeat(4097)));
    assertEquals("Success!", service.message("create-group " + a + " g"));
    assertEquals(refused, service.message("send-group " + a + " g " + "s".repeat(4097)));
    assertEquals("Success!", service.message("post " + a + " " + "p".repeat(4096)));
    assertEquals("Success!", service.message("send " + a + " b " + "s".repeat(4096)));
    JsonArray feed = service.ask("receive-post " + b).getJsonArray("post");
    assertEquals(1, feed.size());
  }

  @Test
  void postsAndGroupsPerUserAreCapped() throws Exception {
    service = RunningService.start(data, Map.of("limits.maxPostsPerUser", "3", "limits.maxGroupsPerUser", "2"));
    String a = login("a");
    for (int i = 0; i < 3; i++) {
      assertEquals("Success!", service.message("post " + a + " post " + i));
    }
    assertEquals("Too many posts (at most 3)", service.message("post " + a + " one more"));
    assertEquals("Success!", service.message("create-group " + a + " g1"));
    assertEquals("Success!", service.message("create-group " + a + " g2"));
    assertEquals("g1 already exist", service.message("create-group " + a + " g1"));
    assertEquals("Too many groups created (at most 2)", service.message("create-group " + a + " g3"));
    String b = login("b");
    assertEquals("Success!", service.message("create-group " + b + " g3"), "the quota is per user");
    assertEquals("Success!", service.message("join-group " + a + " g3"), "joining is not creating");
  }

  @Test
  void receivePostKeepsTheNewestPostsInTheProtocolOrder() throws Exception {
    service = RunningService.start(data, Map.of("limits.maxFeedPosts", "3"));
    String a = login("a");
    String b = login("b");
    String c = login("c");
    befriend(b, "a", a, "b"); // a accepted b: b comes first in a's friends
    befriend(a, "c", c, "a");
    for (String[] p : new String[][] {{c, "c1"}, {b, "b1"}, {c, "c2"}, {b, "b2"}, {b, "b3"}}) {
      assertEquals("Success!", service.message("post " + p[0] + " " + p[1]));
    }
    // the newest three are c2, b2, b3; printed friend by friend, each friend's oldest first
    assertEquals(new JsonArray().add(post("b", "b2")).add(post("b", "b3")).add(post("c", "c2")),
        service.ask("receive-post " + a).getJsonArray("post"));
  }

  private static JsonObject post(String id, String message) {
    return new JsonObject().put("id", id).put("message", message);
  }

  @Test
  void limitsSetOnTheLoginRoleReachApplicationInstancesInChildProcesses() throws Exception {
    service = RunningService.start(data, Map.of("fleet.provider", "local", "limits.maxPostsPerUser", "1"));
    String a = login("a");
    assertEquals("Success!", service.message("post " + a + " one"));
    assertEquals("Too many posts (at most 1)", service.message("post " + a + " two"));
  }

  @Test
  void writesBeyondTheRateAreRefusedAndReadsAreNot() throws Exception {
    service = RunningService.start(data, Map.of("limits.writeBurst", "4", "limits.writesPerSecond", "1"));
    String a = login("a");
    String b = login("b");
    befriend(a, "b", b, "a");
    long begin = System.nanoTime();
    // the burst: one bucket for every kind of write
    assertEquals("Success!", service.message("create-group " + a + " g"));
    assertEquals("Success!", service.message("post " + a + " one"));
    assertEquals("Success!", service.message("send " + a + " b two"));
    assertEquals("Success!", service.message("send-group " + a + " g three"));
    int passed = 4;
    int refused = 0;
    for (int i = 0; i < 20 && refused == 0; i++) {
      String answer = service.message("post " + a + " more " + i);
      if (answer.equals(TOO_MANY_REQUESTS)) {
        refused++;
      } else {
        assertEquals("Success!", answer);
        passed++;
      }
    }
    long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - begin);
    assertEquals(1, refused, "a write beyond the burst was refused");
    assertTrue(passed <= 4 + seconds + 1, passed + " writes passed in " + seconds + " s");
    assertEquals(new JsonArray().add("b"), service.ask("list-friend " + a).getJsonArray("friend"),
        "reads are not limited");
    assertEquals("Success!", service.message("post " + b + " b has writes of its own"));
  }
}
