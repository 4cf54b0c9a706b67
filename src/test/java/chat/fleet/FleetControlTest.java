package chat.fleet;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The load an instance reports in its heartbeats is signed like the rest of the message. */
class FleetControlTest {
  private static final String SECRET = FleetControl.instanceSecret("fleet-key", "app-1");

  private static JsonObject beat() {
    return FleetControl.message(FleetControl.HEARTBEAT, "app-1", "127.0.0.1", 7000, 10,
        new FleetState.Load(0.253, 12.5), SECRET);
  }

  @Test
  void aHeartbeatCarriesItsLoad() {
    JsonObject m = beat();
    assertTrue(FleetControl.valid(m, SECRET, System.currentTimeMillis()));
    assertEquals(new FleetState.Load(0.253, 12.5), FleetControl.load(m));
  }

  @Test
  void aChangedLoadBreaksTheSignature() {
    long now = System.currentTimeMillis();
    assertFalse(FleetControl.valid(beat().put(FleetControl.CPU, 10), SECRET, now));
    assertFalse(FleetControl.valid(beat().put(FleetControl.REQUESTS, 1), SECRET, now));
  }

  @Test
  void aLoadTakenAwayBreaksTheSignature() {
    JsonObject m = beat();
    m.remove(FleetControl.CPU);
    m.remove(FleetControl.REQUESTS);
    assertFalse(FleetControl.valid(m, SECRET, System.currentTimeMillis()));
  }

  @Test
  void halfALoadOrAnImpossibleOneIsRefused() {
    long now = System.currentTimeMillis();
    JsonObject half = beat();
    half.remove(FleetControl.REQUESTS);
    assertFalse(FleetControl.valid(half, SECRET, now));
    JsonObject over = FleetControl.message(FleetControl.HEARTBEAT, "app-1", "127.0.0.1", 7000, 10, null, SECRET)
        .put(FleetControl.CPU, 5000).put(FleetControl.REQUESTS, 0);
    assertFalse(FleetControl.valid(over, SECRET, now));
  }

  @Test
  void aHeartbeatWithoutLoadFromAnEarlierReleaseStillCounts() {
    JsonObject m = FleetControl.message(FleetControl.HEARTBEAT, "app-1", "127.0.0.1", 7000, 10, SECRET);
    assertTrue(FleetControl.valid(m, SECRET, System.currentTimeMillis()));
    assertNull(FleetControl.load(m));
  }

  /** An agent whose link opens while it starts registers from two threads at once: each message is signed whole. */
  @Test
  void oneSignerSignsFromManyThreadsAtOnceAndEveryMessageIsValid() throws Exception {
    FleetControl.Signer signer = new FleetControl.Signer(SECRET);
    java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(4);
    try {
      java.util.List<java.util.concurrent.Future<Integer>> all = new java.util.ArrayList<>();
      for (int t = 0; t < 4; t++) {
        int port = 7000 + t;
        all.add(pool.submit(() -> {
          int bad = 0;
          for (int i = 0; i < 5_000; i++) {
            JsonObject m = FleetControl.message(FleetControl.REGISTER, "app-1", "127.0.0.1", port, i, null, signer);
            if (!FleetControl.valid(m, SECRET, System.currentTimeMillis())) {
              bad++;
            }
          }
          return bad;
        }));
      }
      for (java.util.concurrent.Future<Integer> f : all) {
        assertEquals(0, f.get(60, java.util.concurrent.TimeUnit.SECONDS), "messages whose signature was mixed with another's");
      }
    } finally {
      pool.shutdownNow();
    }
  }
}
