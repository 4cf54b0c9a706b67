package chat.client;

import chat.support.RunningService;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The fragmentation of a day, end to end: 30 users on three instances, 21 leave and three stay
 * on each. Consolidation packs the nine onto one instance within the window and the grace
 * period, while they keep sending every second through the login server (as the 2018 client
 * does) and straight to their application server (as this client does): no command fails and
 * every delivery arrives.
 */
class ConsolidationTest {
  private static final int WINDOW_SECONDS = 10;
  private static final int GRACE_SECONDS = 5;

  @TempDir
  Path data;
  @AutoClose
  private RunningService service;

  @Test
  void aFragmentedFleetEndsOnOneInstanceWhileItsUsersKeepWorking() throws Exception {
    service = RunningService.start(data, Map.of("fleet.graceSeconds", String.valueOf(GRACE_SECONDS),
        "fleet.consolidateSeconds", String.valueOf(WINDOW_SECONDS)));
    Map<String, String> tokens = new HashMap<>();
    Map<String, List<String>> byServer = new LinkedHashMap<>();
    for (int i = 0; i < 30; i++) {
      String user = "u" + i;
      assertEquals("Success!", service.message("register " + user + " p"));
      JsonObject login = service.ask("login " + user + " p");
      assertEquals("Success!", login.getString("message"), login.encode());
      tokens.put(user, login.getString("token"));
      byServer.computeIfAbsent(login.getJsonObject("server").getString("id"), s -> new ArrayList<>()).add(user);
    }
    assertEquals(3, byServer.size(), byServer.toString());
    List<String> stay = new ArrayList<>();
    for (List<String> users : byServer.values()) {
      assertEquals(10, users.size());
      stay.addAll(users.subList(0, 3));
      for (String user : users.subList(3, 10)) {
        assertEquals("Bye!", service.message("logout " + tokens.get(user)));
      }
    }
    long fragmented = System.currentTimeMillis();
    JsonArray before = service.instances();
    assertEquals(3, before.size(), before.encode());
    for (int i = 0; i < 3; i++) {
      assertEquals(3, before.getJsonObject(i).getInteger("users"), before.encode());
    }
    // each of the nine sends to the next: friends in a ring
    for (int k = 0; k < stay.size(); k++) {
      String me = stay.get(k);
      String next = stay.get((k + 1) % stay.size());
      assertEquals("Success!", service.message("invite " + tokens.get(me) + " " + next));
      assertEquals("Success!", service.message("accept-invite " + tokens.get(next) + " " + me));
    }

    ClientHarness client = new ClientHarness(service.loginPort());
    for (String user : stay) {
      client.type("login " + user + " p");
    }
    client.awaitLines(stay.size(), 30_000);

    List<String> expected = new ArrayList<>();
    for (int i = 0; i < stay.size(); i++) {
      expected.add("Success!");
    }
    long oneInstanceAt = -1;
    long deadline = fragmented + (WINDOW_SECONDS + GRACE_SECONDS + 30) * 1000L;
    int round = 0;
    int roundsOnOne = 0;
    while (roundsOnOne < 3 && System.currentTimeMillis() < deadline) {
      long roundStart = System.currentTimeMillis();
      for (int k = 0; k < stay.size(); k++) {
        String me = stay.get(k);
        String next = stay.get((k + 1) % stay.size());
        String direct = "d" + round + "-" + k;
        String forwarded = "f" + round + "-" + k;
        client.type("send " + me + " " + next + " " + direct);
        JsonObject reply = service.ask("send " + tokens.get(me) + " " + next + " " + forwarded);
        assertEquals("Success!", reply.getString("message"), "through the login server: " + reply.encode());
        expected.add("Success!");
        expected.add("<<<" + me + "->" + next + ": " + direct + ">>>");
        expected.add("<<<" + me + "->" + next + ": " + forwarded + ">>>");
      }
      round++;
      client.awaitLines(stay.size() + round * stay.size() * 2, 30_000);
      if (oneInstanceAt < 0 && service.instances().size() == 1) {
        oneInstanceAt = System.currentTimeMillis();
      }
      if (oneInstanceAt >= 0) {
        roundsOnOne++;
      }
      // one round a second: the pace of the users, not a wait for the service
      Thread.sleep(Math.max(0, 1_000 - (System.currentTimeMillis() - roundStart)));
    }
    assertTrue(oneInstanceAt >= 0, "one instance in the end: " + service.instances().encode());
    assertTrue(oneInstanceAt - fragmented <= (WINDOW_SECONDS + GRACE_SECONDS) * 1000L,
        "one instance " + (oneInstanceAt - fragmented) + " ms after the fleet fragmented");
    JsonArray after = service.instances();
    assertEquals(1, after.size(), after.encode());
    assertEquals(9, after.getJsonObject(0).getInteger("users"), after.encode());

    List<String> printed = client.exit(30_000);
    assertEquals(sorted(expected), sorted(printed), "every command succeeded and every delivery arrived, once");
  }

  private static List<String> sorted(List<String> lines) {
    List<String> copy = new ArrayList<>(lines);
    copy.sort(null);
    return copy;
  }
}
