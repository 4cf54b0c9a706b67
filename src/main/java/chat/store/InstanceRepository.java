package chat.store;

import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The fleet's registry as the store keeps it, so a restarted login role picks up where it was. */
public final class InstanceRepository {

  /** One instance row. */
  public record Saved(String id, String providerRef, String state, String host, Integer port, int capacity,
                     long startedAt) { }

  public Future<Void> save(SqlClient c, String id, String providerRef, String state, String host, Integer port,
                           int capacity, long startedAt) {
    long now = System.currentTimeMillis();
    return Db.update(c, "UPDATE instances SET provider_ref = ?, state = ?, host = ?, port = ?, capacity = ?,"
            + " updated_at = ? WHERE id = ?", providerRef, state, host, port, capacity, now, id)
        .compose(n -> n > 0 ? Future.succeededFuture() : Db.update(c,
            "INSERT INTO instances (id, provider_ref, state, host, port, capacity, started_at, updated_at)"
                + " VALUES (?, ?, ?, ?, ?, ?, ?, ?)", id, providerRef, state, host, port, capacity, startedAt, now)
            .mapEmpty());
  }

  public Future<Void> delete(SqlClient c, String id) {
    return Db.update(c, "DELETE FROM instances WHERE id = ?", id).mapEmpty();
  }

  public Future<List<Saved>> live(SqlClient c) {
    return Db.rows(c, "SELECT id, provider_ref, state, host, port, capacity, started_at FROM instances"
        + " WHERE state IN ('STARTING', 'READY')").map(rows -> {
          List<Saved> out = new ArrayList<>();
          for (Row r : rows) {
            out.add(new Saved(r.getString(0), r.getString(1), r.getString(2), r.getString(3), r.getInteger(4),
                r.getInteger(5), r.getLong(6)));
          }
          return out;
        });
  }

  /** Online users and the instance each one is assigned to. */
  public Future<Map<Long, String>> assignments(SqlClient c) {
    return Db.rows(c, "SELECT id, instance_id FROM users WHERE token_hash IS NOT NULL AND instance_id IS NOT NULL")
        .map(rows -> {
          Map<Long, String> out = new HashMap<>();
          rows.forEach(r -> out.put(r.getLong(0), r.getString(1)));
          return out;
        });
  }

  public Future<Void> unassignAll(SqlClient c, String instanceId) {
    return Db.update(c, "UPDATE users SET instance_id = NULL WHERE instance_id = ?", instanceId).mapEmpty();
  }
}
