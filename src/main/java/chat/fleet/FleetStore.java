package chat.fleet;

import chat.store.Db;
import chat.store.InstanceRepository;
import chat.store.LeaseRepository;
import chat.store.Sql;
import chat.store.UserRepository;
import io.vertx.core.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.SQLException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What the fleet keeps in the store: the fleet lease, the rows of its instances and the users'
 * assignments to them. The writes of one instance are made one after the other, so two changes
 * never race on its row; one that fails is logged and dropped (the instance's next save writes
 * its whole row again).
 *
 * <p>Not thread-safe: used from the fleet verticle's event loop.
 */
final class FleetStore {
  private static final Logger LOG = LoggerFactory.getLogger("fleet");

  private final Db db;
  private final InstanceRepository instances = new InstanceRepository();
  private final UserRepository users = new UserRepository();
  private final LeaseRepository leases;
  /** The last write of each instance with one under way. */
  private final Map<String, Future<Void>> writes = new HashMap<>();

  /** What the store holds of the fleet. */
  record Saved(List<InstanceRepository.Saved> instances, Map<Long, String> assignments) { }

  FleetStore(Db db) {
    this.db = db;
    this.leases = new LeaseRepository(db.isHsqldb());
  }

  /** Takes or renews the fleet lease for {@code server}: whether it holds it now, for {@code millis}. */
  Future<Boolean> holdLease(String server, long millis) {
    return db.autoCommit(c -> leases.hold(c, LeaseRepository.FLEET, server, millis));
  }

  /** Gives the fleet lease up if {@code server} holds it; never fails (the lease then runs out by itself). */
  Future<Void> releaseLease(String server) {
    return db.autoCommit(c -> {
      leases.release(c, LeaseRepository.FLEET, server);
      return (Void) null;
    }).otherwiseEmpty();
  }

  /** The live instances and the online users' assignments. */
  Future<Saved> read() {
    return db.tx(c -> new Saved(instances.live(c), instances.assignments(c)));
  }

  void save(FleetState.View i) {
    write(i.id(), c -> instances.save(c, i.id(), i.providerRef(), i.state().name(), i.host(),
        i.state() == InstanceState.STARTING ? null : i.port(), i.capacity(), i.startedAt()));
  }

  /** Removes the instance's row and every assignment to it. */
  void forget(String instance) {
    write(instance, c -> {
      instances.unassignAll(c, instance);
      instances.delete(c, instance);
    });
  }

  /** The provider's reference of an instance the fleet no longer follows, so the next holder finds it. */
  void recordProviderRef(String instance, String providerRef) {
    write(instance, c -> instances.recordProviderRef(c, instance, providerRef));
  }

  /** {@code user} moved from {@code from} to {@code to}. */
  void move(long user, String from, String to) {
    // in line with the writes of the instance it leaves, so that instance's removal never clears it
    write(from, c -> users.move(c, user, from, to));
  }

  /** Records that {@code user} is served by {@code instance}: done before its login is answered. */
  Future<Void> assign(long user, String instance) {
    return db.tx(c -> {
      users.assign(c, user, instance);
      return null;
    });
  }

  /** A unit of work on the instance's row, after the ones before it. */
  private void write(String instance, RowWork work) {
    Future<Void> after = writes.getOrDefault(instance, Future.succeededFuture()).transform(x -> db.<Void>tx(c -> {
      work.run(c);
      return null;
    })).recover(e -> {
      LOG.warn("fleet could not save instance {}: {}", instance, e.getMessage());
      return Future.succeededFuture();
    });
    writes.put(instance, after);
    after.onComplete(x -> writes.remove(instance, after));
  }

  /** Statements on the instance's row. */
  @FunctionalInterface
  private interface RowWork {
    void run(Sql c) throws SQLException;
  }
}
