package chat.wire;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A server stopped while requests are arriving (an application server drained after its users
 * moved, with forwards and clients still on their way to it): every request it read is
 * answered, so a request that got no answer was not done and may be sent elsewhere.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class StoppingServerTest {
  private static final int ROUNDS = 200;
  private static final int PER_ROUND = 40;

  private final Vertx vertx = Vertx.vertx();

  @AfterEach
  void close() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  @Test
  void aRequestTheServerReadIsAnsweredEvenWhileItStops() throws Exception {
    WireClient client = new WireClient(vertx, 10_000);
    Set<String> done = ConcurrentHashMap.newKeySet();
    int answered = 0;
    int unanswered = 0;
    for (int round = 0; round < ROUNDS; round++) {
      // an answer that takes a few milliseconds, as one from the store does
      RequestServer server = new RequestServer(vertx, new WireOptions(64 * 1024, 2_000, 10_000, 60, 64),
          (text, local, remote) -> {
            done.add(text);
            return vertx.timer(3).map(x -> new JsonObject().put("status", 0).put("message", text));
          });
      int port = server.listen("127.0.0.1", 0).await(10, TimeUnit.SECONDS);
      List<String> texts = new ArrayList<>();
      List<Future<JsonObject>> replies = new ArrayList<>();
      for (int i = 0; i < PER_ROUND; i++) {
        if (i == PER_ROUND / 2) {
          // the stop lands among connections being opened, read and answered
          Thread.sleep(round % 5);
          server.close();
        }
        String text = "send " + round + " " + i;
        texts.add(text);
        replies.add(client.request("127.0.0.1", port, text));
      }
      for (int i = 0; i < PER_ROUND; i++) {
        try {
          assertEquals(texts.get(i), replies.get(i).await(20, TimeUnit.SECONDS).getString("message"));
          answered++;
        } catch (java.util.concurrent.TimeoutException e) {
          throw e;
        } catch (Exception e) {
          unanswered++;
          assertTrue(!done.contains(texts.get(i)), texts.get(i) + " was done, and its answer cut off: " + e);
        }
      }
    }
    // both kinds were seen, or the race was not run
    assertTrue(answered > 0 && unanswered > 0, answered + " answered, " + unanswered + " not");
  }
}
