package chat.fleet;

import chat.ChatServer;
import chat.config.ChatConfig;
import chat.support.TestServers;
import chat.support.Wire;
import io.vertx.amqp.AmqpClient;
import io.vertx.amqp.AmqpClientOptions;
import io.vertx.amqp.AmqpMessage;
import io.vertx.amqp.AmqpSender;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The fleet, tried by someone who can put messages on its control address (here even with a
 * service's broker credentials): forged registrations reach nobody, no heartbeat moves or
 * stops a healthy instance, malformed messages change nothing.
 */
class FleetSecurityTest {
  @TempDir
  Path data;
  private final Vertx vertx = Vertx.vertx();
  private ChatServer server;
  private ChatConfig config;
  private AmqpClient amqp;
  private AmqpSender sender;

  @AfterEach
  void stop() throws Exception {
    if (amqp != null) {
      amqp.close().await(10, TimeUnit.SECONDS);
    }
    if (server != null) {
      server.close().await(30, TimeUnit.SECONDS);
    }
    vertx.close().await(30, TimeUnit.SECONDS);
  }

  private JsonObject ask(String text) throws Exception {
    return Wire.reference(server.loginPort(), text);
  }

  private String secret(String name) throws Exception {
    return Files.readString(data.resolve("secrets").resolve(name)).trim();
  }

  private JsonArray instances() throws Exception {
    return vertx.eventBus().<JsonObject>request(FleetVerticle.SNAPSHOT, null).await(10, TimeUnit.SECONDS).body()
        .getJsonArray("instances");
  }

  private void send(Object body) throws Exception {
    AmqpMessage m = body instanceof JsonObject json
        ? AmqpMessage.create().address(FleetControl.ADDRESS).withJsonObjectAsBody(json).build()
        : AmqpMessage.create().address(FleetControl.ADDRESS).withBody(String.valueOf(body)).build();
    sender.sendWithAck(m).await(10, TimeUnit.SECONDS);
  }

  @Test
  void forgedOrMalformedControlMessagesNeitherRegisterMoveNorStopAnInstance() throws Exception {
    config = TestServers.config(data, Map.of());
    server = ChatServer.start(vertx, config, ChatServer.Role.ALL).await(60, TimeUnit.SECONDS);
    ask("register alice pw");
    JsonObject login = ask("login alice pw");
    JsonObject real = login.getJsonObject("server");
    String id = real.getString("id");
    int port = real.getInteger("port");

    amqp = AmqpClient.create(vertx, new AmqpClientOptions().setHost("127.0.0.1")
        .setPort(config.json().getJsonObject("broker").getInteger("amqpPort"))
        .setUsername("chat-app").setPassword(secret("broker-app")));
    sender = amqp.connect().compose(c -> c.createAnonymousSender()).await(10, TimeUnit.SECONDS);

    long now = System.currentTimeMillis();
    // a stranger's server asks to join, unsigned and signed with a made-up key
    send(new JsonObject().put("type", "register").put("id", "app-evil").put("host", "127.0.0.1").put("port", 1)
        .put("capacity", 1000).put("at", now));
    send(FleetControl.message("register", "app-evil2", "127.0.0.1", 1, 1000, "made-up"));
    // the real instance's id, pointing elsewhere: unsigned, wrongly signed, and properly signed
    send(new JsonObject().put("type", "heartbeat").put("id", id).put("host", "127.0.0.1").put("port", 1)
        .put("capacity", 10).put("at", now));
    send(FleetControl.message("heartbeat", id, "127.0.0.1", 1, 10, "made-up"));
    String instanceSecret = FleetControl.instanceSecret(secret("fleet-key"), id);
    send(FleetControl.message("heartbeat", id, "127.0.0.1", 1, 10, instanceSecret));
    // junk
    send("not json at all");
    send(new JsonObject().put("type", "heartbeat").put("id", id).put("port", "seven"));
    send(new JsonObject().put("id", 42));
    // a message the real instance could have sent, with a capacity that shows it was read
    send(FleetControl.message("heartbeat", id, real.getString("host"), port, 11, instanceSecret));
    long deadline = System.currentTimeMillis() + 20_000;
    while (instances().getJsonObject(0).getInteger("capacity") != 11 && System.currentTimeMillis() < deadline) {
      Thread.sleep(50);
    }

    JsonArray list = instances();
    assertEquals(1, list.size(), list.encodePrettily());
    JsonObject only = list.getJsonObject(0);
    assertEquals(11, only.getInteger("capacity"), "every message before the last was read");
    assertEquals(id, only.getString("id"));
    assertEquals(port, only.getInteger("port"), "the address it registered with");
    assertEquals("ready", only.getString("state"));
    ask("register bob pw");
    assertEquals(id, ask("login bob pw").getJsonObject("server").getString("id"), "new users go to the real one");
    assertEquals(0, ask("list-friend " + login.getString("token")).getInteger("status"), "its users are served");
  }
}
