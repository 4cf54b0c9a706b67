package chat.it;

import chat.support.RunningService;
import chat.support.Wire;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The whole service in-process over real sockets, with the real broker and store. */
class ServiceIntegrationTest {
  @TempDir
  Path data;
  @AutoClose
  private RunningService service;

  @BeforeEach
  void start() throws Exception {
    service = RunningService.start(data);
  }

  @Test
  void loginTwiceReturnsSameTokenAndTheReplyNamesServerBrokerAndChannels() throws Exception {
    assertEquals("Success!", service.message("register alice pw"));
    JsonObject first = service.ask("login alice pw");
    JsonObject second = service.ask("login alice pw");
    assertEquals(first.getString("token"), second.getString("token"));
    assertEquals(32, first.getString("token").length());
    JsonObject app = first.getJsonObject("server");
    assertEquals("127.0.0.1", app.getString("host"));
    assertTrue(app.getInteger("port") > 0 && app.getInteger("port") != service.loginPort());
    assertTrue(first.getString("broker").startsWith("amqp://127.0.0.1:"));
    JsonArray channels = first.getJsonArray("channel");
    assertEquals(0, channels.getJsonObject(0).getInteger("type"));
    assertTrue(channels.getJsonObject(0).getString("channel").startsWith("u-"));
  }

  @Test
  void applicationServerAndLoginServerGiveTheSameAnswers() throws Exception {
    service.message("register a pw");
    service.message("register b pw");
    JsonObject loginA = service.ask("login a pw");
    String ta = loginA.getString("token");
    int appPort = loginA.getJsonObject("server").getInteger("port");
    service.login("b", "pw");
    assertEquals("Success!", Wire.reference(appPort, "invite " + ta + " b").getString("message"));
    // an older client sends everything to the login server, which forwards
    assertEquals("Already invited", service.message("invite " + ta + " b"));
    assertEquals("Not login yet", Wire.reference(appPort, "invite nosuchtoken b").getString("message"));
    assertEquals("Unknown command inv", Wire.reference(appPort, "inv x").getString("message"));
    JsonObject list = service.ask("list-invite " + ta);
    assertEquals(new JsonArray(), list.getJsonArray("invite"));
    assertTrue(!list.containsKey("message"), "list replies carry no message key");
  }

  @Test
  void restartKeepsEveryPieceOfData() throws Exception {
    service.message("register a pa");
    service.message("register b pb");
    service.message("register c pc");
    String ta = service.login("a", "pa");
    String tb = service.login("b", "pb");
    String tc = service.login("c", "pc");
    assertEquals("Success!", service.message("invite " + ta + " b"));
    assertEquals("Success!", service.message("accept-invite " + tb + " a"));
    assertEquals("Success!", service.message("invite " + tc + " a"));
    assertEquals("Success!", service.message("post " + tb + " hello from b"));
    assertEquals("Success!", service.message("create-group " + ta + " club"));
    assertEquals("Success!", service.message("join-group " + tb + " club"));

    service.close();
    service = RunningService.start(data);

    assertEquals("b is already used", service.message("register b other"));
    assertEquals(new JsonArray().add("b"), service.ask("list-friend " + ta).getJsonArray("friend"),
        "friends and tokens kept");
    assertEquals(new JsonArray().add("c"), service.ask("list-invite " + ta).getJsonArray("invite"), "invitations kept");
    assertEquals(new JsonArray().add(new JsonObject().put("id", "b").put("message", "hello from b")),
        service.ask("receive-post " + ta).getJsonArray("post"), "posts kept");
    assertEquals(new JsonArray().add("club"), service.ask("list-joined " + tb).getJsonArray("group"), "groups kept");
    assertEquals(ta, service.login("a", "pa"), "the token survives a restart");
    assertEquals("No such user or password error", service.message("login a wrong"));
  }

  @Test
  void deletedUserLeavesNoTrace() throws Exception {
    service.message("register a pa");
    service.message("register b pb");
    String ta = service.login("a", "pa");
    String tb = service.login("b", "pb");
    service.message("invite " + ta + " b");
    service.message("accept-invite " + tb + " a");
    service.message("post " + ta + " bye");
    service.message("create-group " + ta + " g");
    assertEquals("Success!", service.message("delete " + ta));
    assertEquals("Not login yet", service.message("list-friend " + ta));
    assertEquals(new JsonArray(), service.ask("list-friend " + tb).getJsonArray("friend"));
    assertEquals(new JsonArray(), service.ask("receive-post " + tb).getJsonArray("post"));
    assertEquals(new JsonArray().add("g"), service.ask("list-group " + tb).getJsonArray("group"), "groups stay");
    assertEquals("Success!", service.message("register a again"));
    assertNotNull(service.login("a", "again"));
  }

  @Test
  void racingRequestsForTheSameNameGetTheProtocolAnswers() throws Exception {
    java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(8);
    try {
      List<java.util.concurrent.Callable<String>> registers = new java.util.ArrayList<>();
      for (int i = 0; i < 8; i++) {
        registers.add(() -> service.message("register same pw"));
      }
      List<String> answers = new java.util.ArrayList<>();
      for (var f : pool.invokeAll(registers)) {
        answers.add(f.get());
      }
      assertEquals(1, answers.stream().filter("Success!"::equals).count(), answers.toString());
      assertEquals(7, answers.stream().filter("same is already used"::equals).count(), answers.toString());

      String token = service.login("same", "pw");
      List<java.util.concurrent.Callable<String>> groups = new java.util.ArrayList<>();
      for (int i = 0; i < 8; i++) {
        groups.add(() -> service.message("create-group " + token + " crowd"));
      }
      answers.clear();
      for (var f : pool.invokeAll(groups)) {
        answers.add(f.get());
      }
      assertEquals(1, answers.stream().filter("Success!"::equals).count(), answers.toString());
      assertEquals(7, answers.stream().filter("crowd already exist"::equals).count(), answers.toString());
    } finally {
      pool.shutdownNow();
    }
  }

}
