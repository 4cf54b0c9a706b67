package chat.store;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The fleet's registry as the store keeps it, so a restarted login role picks up where it was. */
public final class InstanceRepository {

  /** One instance row. */
  public record Saved(String id, String providerRef, String state, String host, Integer port, int capacity,
                     long startedAt) { }

  public void save(Sql c, String id, String providerRef, String state, String host, Integer port,
                   int capacity, long startedAt) throws SQLException {
    long now = System.currentTimeMillis();
    int n = c.update("UPDATE instances SET provider_ref = ?, state = ?, host = ?, port = ?, capacity = ?,"
        + " updated_at = ? WHERE id = ?", providerRef, state, host, port, capacity, now, id);
    if (n == 0) {
      c.update("INSERT INTO instances (id, provider_ref, state, host, port, capacity, started_at, updated_at)"
          + " VALUES (?, ?, ?, ?, ?, ?, ?, ?)", id, providerRef, state, host, port, capacity, startedAt, now);
    }
  }

  /** The provider's reference of an instance, learnt after its row was saved. */
  public void recordProviderRef(Sql c, String id, String providerRef) throws SQLException {
    c.update("UPDATE instances SET provider_ref = ?, updated_at = ? WHERE id = ?", providerRef,
        System.currentTimeMillis(), id);
  }

  public void delete(Sql c, String id) throws SQLException {
    c.update("DELETE FROM instances WHERE id = ?", id);
  }

  public List<Saved> live(Sql c) throws SQLException {
    List<Saved> out = new ArrayList<>();
    for (Row r : c.rows("SELECT id, provider_ref, state, host, port, capacity, started_at FROM instances"
        + " WHERE state IN ('STARTING', 'READY')")) {
      out.add(new Saved(r.getString(0), r.getString(1), r.getString(2), r.getString(3), r.getInteger(4),
          r.getInteger(5), r.getLong(6)));
    }
    return out;
  }

  /** Online users and the instance each one is assigned to. */
  public Map<Long, String> assignments(Sql c) throws SQLException {
    Map<Long, String> out = new HashMap<>();
    c.rows("SELECT id, instance_id FROM users WHERE token_hash IS NOT NULL AND instance_id IS NOT NULL")
        .forEach(r -> out.put(r.getLong(0), r.getString(1)));
    return out;
  }

  public void unassignAll(Sql c, String instanceId) throws SQLException {
    c.update("UPDATE users SET instance_id = NULL WHERE instance_id = ?", instanceId);
  }
}
