package chat.fleet;

import chat.support.RunningService;
import io.vertx.amqp.AmqpClient;
import io.vertx.amqp.AmqpClientOptions;
import io.vertx.amqp.AmqpMessage;
import io.vertx.amqp.AmqpSender;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
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
  @AutoClose
  private RunningService service;
  private AmqpClient amqp;
  private AmqpSender sender;

  /** The client closes before the service does. */
  @AfterEach
  void closeClient() throws Exception {
    if (amqp != null) {
      amqp.close().await(10, TimeUnit.SECONDS);
    }
  }

  private void send(Object body) throws Exception {
    AmqpMessage m = body instanceof JsonObject json
        ? AmqpMessage.create().address(FleetControl.ADDRESS).withJsonObjectAsBody(json).build()
        : AmqpMessage.create().address(FleetControl.ADDRESS).withBody(String.valueOf(body)).build();
    sender.sendWithAck(m).await(10, TimeUnit.SECONDS);
  }

  @Test
  void forgedOrMalformedControlMessagesNeitherRegisterMoveNorStopAnInstance() throws Exception {
    service = RunningService.start(data);
    service.ask("register alice pw");
    JsonObject login = service.ask("login alice pw");
    JsonObject real = login.getJsonObject("server");
    String id = real.getString("id");
    int port = real.getInteger("port");

    amqp = AmqpClient.create(service.vertx(), new AmqpClientOptions().setHost("127.0.0.1")
        .setPort(service.config().broker().getInteger("amqpPort"))
        .setUsername("chat-app").setPassword(service.secret("broker-app")));
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
    String instanceSecret = FleetControl.instanceSecret(service.secret("fleet-key"), id);
    send(FleetControl.message("heartbeat", id, "127.0.0.1", 1, 10, instanceSecret));
    // junk
    send("not json at all");
    send(new JsonObject().put("type", "heartbeat").put("id", id).put("port", "seven"));
    send(new JsonObject().put("id", 42));
    // a message the real instance could have sent, with a capacity that shows it was read
    send(FleetControl.message("heartbeat", id, real.getString("host"), port, 11, instanceSecret));
    long deadline = System.currentTimeMillis() + 20_000;
    while (service.instances().getJsonObject(0).getInteger("capacity") != 11 && System.currentTimeMillis() < deadline) {
      Thread.sleep(50);
    }

    JsonArray list = service.instances();
    assertEquals(1, list.size(), list.encodePrettily());
    JsonObject only = list.getJsonObject(0);
    assertEquals(11, only.getInteger("capacity"), "every message before the last was read");
    assertEquals(id, only.getString("id"));
    assertEquals(port, only.getInteger("port"), "the address it registered with");
    assertEquals("ready", only.getString("state"));
    service.ask("register bob pw");
    assertEquals(id, service.ask("login bob pw").getJsonObject("server").getString("id"),
        "new users go to the real one");
    assertEquals(0, service.ask("list-friend " + login.getString("token")).getInteger("status"),
        "its users are served");
  }
}
