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
}
