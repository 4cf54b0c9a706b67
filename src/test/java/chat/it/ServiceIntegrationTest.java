package chat.it;

import chat.ChatServer;
import chat.config.ChatConfig;
import chat.support.TestServers;
import chat.support.Wire;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The whole service in-process over real sockets, with the real broker and store. */
class ServiceIntegrationTest {
  @TempDir
  Path data;
  private Vertx vertx;
  private ChatServer server;
  private ChatConfig config;

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx();
    startServer();
  }

  private void startServer() throws Exception {
    config = TestServers.config(data, Map.of());
    server = ChatServer.start(vertx, config, ChatServer.Role.ALL).await(60, TimeUnit.SECONDS);
  }

  @AfterEach
  void stop() throws Exception {
    if (server != null) {
      server.close().await(30, TimeUnit.SECONDS);
    }
    vertx.close().await(30, TimeUnit.SECONDS);
  }

  private JsonObject ask(String text) throws IOException {
    return Wire.reference(server.loginPort(), text);
  }

  private String message(String text) throws IOException {
    return ask(text).getString("message");
  }

  private String login(String user, String password) throws IOException {
    JsonObject reply = ask("login " + user + " " + password);
    assertEquals("Success!", reply.getString("message"), reply.encode());
    return reply.getString("token");
  }

  @Test
  void loginTwiceReturnsSameTokenAndTheReplyNamesServerBrokerAndChannels() throws Exception {
    assertEquals("Success!", message("register alice pw"));
    JsonObject first = ask("login alice pw");
    JsonObject second = ask("login alice pw");
    assertEquals(first.getString("token"), second.getString("token"));
    assertEquals(32, first.getString("token").length());
    JsonObject app = first.getJsonObject("server");
    assertEquals("127.0.0.1", app.getString("host"));
    assertTrue(app.getInteger("port") > 0 && app.getInteger("port") != server.loginPort());
    assertTrue(first.getString("broker").startsWith("amqp://127.0.0.1:"));
    JsonArray channels = first.getJsonArray("channel");
    assertEquals(0, channels.getJsonObject(0).getInteger("type"));
    assertTrue(channels.getJsonObject(0).getString("channel").startsWith("u-"));
  }

  @Test
  void applicationServerAndLoginServerGiveTheSameAnswers() throws Exception {
    message("register a pw");
    message("register b pw");
    JsonObject loginA = ask("login a pw");
    String ta = loginA.getString("token");
    int appPort = loginA.getJsonObject("server").getInteger("port");
    login("b", "pw");
    assertEquals("Success!", Wire.reference(appPort, "invite " + ta + " b").getString("message"));
    // an older client sends everything to the login server, which forwards
    assertEquals("Already invited", message("invite " + ta + " b"));
    assertEquals("Not login yet", Wire.reference(appPort, "invite nosuchtoken b").getString("message"));
    assertEquals("Unknown command inv", Wire.reference(appPort, "inv x").getString("message"));
    JsonObject list = ask("list-invite " + ta);
    assertEquals(new JsonArray(), list.getJsonArray("invite"));
    assertTrue(!list.containsKey("message"), "list replies carry no message key");
  }

  @Test
  void restartKeepsEveryPieceOfData() throws Exception {
    message("register a pa");
    message("register b pb");
    message("register c pc");
    String ta = login("a", "pa");
    String tb = login("b", "pb");
    String tc = login("c", "pc");
    assertEquals("Success!", message("invite " + ta + " b"));
    assertEquals("Success!", message("accept-invite " + tb + " a"));
    assertEquals("Success!", message("invite " + tc + " a"));
    assertEquals("Success!", message("post " + tb + " hello from b"));
    assertEquals("Success!", message("create-group " + ta + " club"));
    assertEquals("Success!", message("join-group " + tb + " club"));

    server.close().await(30, TimeUnit.SECONDS);
    server = null;
    startServer();

    assertEquals("b is already used", message("register b other"));
    assertEquals(new JsonArray().add("b"), ask("list-friend " + ta).getJsonArray("friend"), "friends and tokens kept");
    assertEquals(new JsonArray().add("c"), ask("list-invite " + ta).getJsonArray("invite"), "invitations kept");
    assertEquals(new JsonArray().add(new JsonObject().put("id", "b").put("message", "hello from b")),
        ask("receive-post " + ta).getJsonArray("post"), "posts kept");
    assertEquals(new JsonArray().add("club"), ask("list-joined " + tb).getJsonArray("group"), "groups kept");
    assertEquals(ta, login("a", "pa"), "the token survives a restart");
    assertEquals("No such user or password error", message("login a wrong"));
  }

  @Test
  void deletedUserLeavesNoTrace() throws Exception {
    message("register a pa");
    message("register b pb");
    String ta = login("a", "pa");
    String tb = login("b", "pb");
    message("invite " + ta + " b");
    message("accept-invite " + tb + " a");
    message("post " + ta + " bye");
    message("create-group " + ta + " g");
    assertEquals("Success!", message("delete " + ta));
    assertEquals("Not login yet", message("list-friend " + ta));
    assertEquals(new JsonArray(), ask("list-friend " + tb).getJsonArray("friend"));
    assertEquals(new JsonArray(), ask("receive-post " + tb).getJsonArray("post"));
    assertEquals(new JsonArray().add("g"), ask("list-group " + tb).getJsonArray("group"), "groups stay");
    assertEquals("Success!", message("register a again"));
    assertNotNull(login("a", "again"));
  }

  @Test
  void racingRequestsForTheSameNameGetTheProtocolAnswers() throws Exception {
    java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(8);
    try {
      List<java.util.concurrent.Callable<String>> registers = new java.util.ArrayList<>();
      for (int i = 0; i < 8; i++) {
        registers.add(() -> message("register same pw"));
      }
      List<String> answers = new java.util.ArrayList<>();
      for (var f : pool.invokeAll(registers)) {
        answers.add(f.get());
      }
      assertEquals(1, answers.stream().filter("Success!"::equals).count(), answers.toString());
      assertEquals(7, answers.stream().filter("same is already used"::equals).count(), answers.toString());

      String token = login("same", "pw");
      List<java.util.concurrent.Callable<String>> groups = new java.util.ArrayList<>();
      for (int i = 0; i < 8; i++) {
        groups.add(() -> message("create-group " + token + " crowd"));
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
