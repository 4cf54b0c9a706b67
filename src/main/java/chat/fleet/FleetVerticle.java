package chat.fleet;

import chat.messaging.AmqpMessenger;
import chat.messaging.BrokerOptions;
import chat.messaging.Channels;
import chat.protocol.LogText;
import chat.store.Db;
import chat.store.InstanceRepository;
import chat.store.UserRepository;
import io.vertx.amqp.AmqpClient;
import io.vertx.amqp.AmqpConnection;
import io.vertx.amqp.AmqpMessage;
import io.vertx.amqp.AmqpReceiver;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeoutException;

/**
 * The registry of application instances and the assignment of users to them. One state
 * machine per instance (starting, ready, draining, stopped; lost when heartbeats stop),
 * driven by events: assignment requests on the event bus, registrations and heartbeats from
 * the broker, and a periodic tick. Everything runs on this verticle's event loop, so every
 * decision sees a consistent registry: 30 concurrent first logins start exactly 3 instances.
 */
public final class FleetVerticle extends VerticleBase {
  public static final String ASSIGN = "fleet.assign";
  public static final String SERVER_OF = "fleet.serverOf";
  public static final String RELEASE = "fleet.release";
  public static final String SNAPSHOT = "fleet.snapshot";
  /** The login role could not reach an instance at all: check it now rather than at the next missed heartbeat. */
  public static final String SUSPECT = "fleet.suspect";
  private static final Logger LOG = LoggerFactory.getLogger("fleet");
  private static final long TICK_MILLIS = 250;

  private final Db db;
  private final InstanceProvider provider;
  private final FleetOptions options;
  private final BrokerOptions broker;
  private final InstanceSpecFactory specs;
  /** Signs each instance's secret: see {@link FleetControl#instanceSecret}. */
  private final String fleetKey;
  private final InstanceRepository repo = new InstanceRepository();
  private final UserRepository users = new UserRepository();
  private final Map<String, Instance> instances = new LinkedHashMap<>();
  private final Map<Long, String> userInstance = new HashMap<>();
  /** Instances a previous run left behind: adopted when they register, stopped otherwise. */
  private final Map<String, Orphan> orphans = new HashMap<>();
  /** Instances this run drained, lost or failed, until when: their late heartbeats must not bring them back. */
  private final Map<String, Long> gone = new HashMap<>();
  private static final long GONE_MILLIS = 10 * 60_000;
  private AmqpClient amqp;
  private AmqpReceiver receiver;
  private boolean connecting;
  private long ticker;

  /** Builds the spec of a new instance from its fleet id. */
  @FunctionalInterface
  public interface InstanceSpecFactory {
    InstanceSpec spec(String instanceId);
  }

  public FleetVerticle(Db db, InstanceProvider provider, FleetOptions options, BrokerOptions broker,
                       InstanceSpecFactory specs, String fleetKey) {
    this.fleetKey = fleetKey;
    this.db = db;
    this.provider = provider;
    this.options = options;
    this.broker = broker;
    this.specs = specs;
  }

  /** One instance and the users assigned to it. */
  private static final class Instance {
    final String id;
    String providerRef;
    InstanceState state;
    String host;
    int port;
    int capacity;
    final long startedAt;
    long lastSeen;
    long idleSince;
    final Set<Long> users = new HashSet<>();
    final List<Promise<Void>> waiters = new ArrayList<>();
    /** Saves of this instance, one after the other, so two changes never race to insert its row. */
    Future<Void> saved = Future.succeededFuture();

    Instance(String id, InstanceState state, int capacity, long startedAt) {
      this.id = id;
      this.state = state;
      this.capacity = capacity;
      this.startedAt = startedAt;
      this.lastSeen = startedAt;
    }

    boolean hasRoom() {
      return users.size() < capacity;
    }

    AppAddress address() {
      return new AppAddress(id, host, port);
    }

    JsonObject toJson() {
      return new JsonObject().put("id", id).put("state", state.name().toLowerCase()).put("users", users.size())
          .put("host", host).put("port", state == InstanceState.STARTING ? null : port)
          .put("startedAt", java.time.Instant.ofEpochMilli(startedAt).toString())
          .put("capacity", capacity).put("provider", providerRef);
    }
  }

  private record Orphan(String providerRef, long deadline) { }

  @Override
  public Future<?> start() {
    vertx.eventBus().<JsonObject>consumer(ASSIGN, m -> reply(m, assign(m.body().getLong("user"))));
    vertx.eventBus().<JsonObject>consumer(SERVER_OF, m -> reply(m, assign(m.body().getLong("user"))));
    vertx.eventBus().<JsonObject>consumer(RELEASE, m -> {
      release(m.body().getLong("user"));
      m.reply(null);
    });
    vertx.eventBus().<JsonObject>consumer(SNAPSHOT, m -> m.reply(snapshot()));
    vertx.eventBus().<JsonObject>consumer(SUSPECT, m -> {
      Instance i = instances.get(m.body().getString("instance"));
      if (i != null && i.state == InstanceState.READY) {
        lost(i, System.currentTimeMillis());
      }
      m.reply(null);
    });
    amqp = AmqpClient.create(vertx, AmqpMessenger.clientOptions(broker));
    return restore().compose(v -> adoptLeftovers()).compose(v -> listen()).onSuccess(v -> {
      ticker = vertx.setPeriodic(TICK_MILLIS, t -> tick());
      LOG.info("fleet ready: provider {}, capacity {} per instance, {} warm spare(s), grace {} ms",
          provider.name(), options.capacity(), options.warmSpares(), options.graceMillis());
    });
  }

  // ---- restoring after a restart ----

  private Future<Void> restore() {
    // read on a worker, applied here on the verticle's event loop
    return db.tx(c -> new Saved(repo.live(c), repo.assignments(c))).map(read -> {
      List<InstanceRepository.Saved> saved = read.instances();
      Map<Long, String> assigned = read.assignments();
      long now = System.currentTimeMillis();
      for (InstanceRepository.Saved s : saved) {
        // until it is heard from again, a saved instance counts as ready: its heartbeats will confirm it
        Instance i = new Instance(s.id(), InstanceState.READY, s.capacity(), s.startedAt());
        i.providerRef = s.providerRef();
        i.host = s.host();
        i.port = s.port() == null ? 0 : s.port();
        i.lastSeen = now;
        instances.put(i.id, i);
      }
      assigned.forEach((user, id) -> {
        Instance i = instances.get(id);
        if (i != null) {
          i.users.add(user);
          userInstance.put(user, id);
        }
      });
      if (!instances.isEmpty()) {
        LOG.info("restored {} instance(s) with {} user(s) from the store", instances.size(), userInstance.size());
      }
      return null;
    });
  }

  /** What the store holds of the fleet. */
  private record Saved(List<InstanceRepository.Saved> instances, Map<Long, String> assignments) { }

  private Future<Void> adoptLeftovers() {
    return provider.leftovers().map(list -> {
      long deadline = System.currentTimeMillis() + options.lostAfterMillis() * 2;
      for (InstanceProvider.Leftover l : list) {
        Instance known = l.instanceId() == null ? null : instances.get(l.instanceId());
        if (known != null) {
          known.providerRef = l.providerRef();
        } else {
          orphans.put(l.instanceId() == null ? l.providerRef() : l.instanceId(), new Orphan(l.providerRef(), deadline));
        }
      }
      return (Void) null;
    }).recover(e -> {
      LOG.warn("could not list instances left by a previous run: {}", e.getMessage());
      return Future.succeededFuture();
    });
  }

  // ---- registrations and heartbeats ----

  private Future<Void> listen() {
    connecting = true;
    return amqp.connect()
        .compose(c -> {
          c.closeFuture().onComplete(x -> receiver = null);
          c.exceptionHandler(e -> receiver = null);
          return c.createReceiver(FleetControl.ADDRESS);
        })
        .map(r -> {
          receiver = r;
          r.handler(this::onControl);
          return (Void) null;
        })
        .onComplete(x -> connecting = false);
  }

  /** A message on the control address: nothing in it is believed unless its instance signed it. */
  private void onControl(AmqpMessage message) {
    JsonObject m;
    try {
      m = message.bodyAsJsonObject();
    } catch (RuntimeException e) {
      LOG.warn("fleet event=refused unreadable control message");
      return;
    }
    long now = System.currentTimeMillis();
    String id = m.getValue("id") instanceof String s ? s : null;
    if (id == null || !FleetControl.valid(m, FleetControl.instanceSecret(fleetKey, id), now)) {
      LOG.warn("fleet event=refused control message for instance {}: unsigned, forged, malformed or stale",
          LogText.quote(id));
      return;
    }
    Instance i = instances.get(id);
    if (i == null && gone.containsKey(id)) {
      return;
    }
    if (i != null && i.state == InstanceState.READY && i.host != null && i.port > 0
        && (!m.getString("host").equals(i.host)
        || m.getInteger("port") != i.port)) {
      // an instance keeps the address it registered with: a message naming another one is not its own
      LOG.warn("fleet event=refused instance={} message names {}:{} but it registered at {}:{}", id,
          LogText.quote(m.getString("host")), m.getInteger("port"), i.host, i.port);
      return;
    }
    if (i == null) {
      Orphan orphan = orphans.remove(id);
      i = new Instance(id, InstanceState.STARTING, m.getInteger("capacity", options.capacity()), now);
      i.providerRef = orphan == null ? null : orphan.providerRef();
      instances.put(id, i);
      LOG.info("fleet event=adopted instance={} (registered without being started by this run)", id);
    }
    if (i.state == InstanceState.DRAINING || i.state == InstanceState.STOPPED) {
      return;
    }
    i.host = m.getString("host");
    i.port = m.getInteger("port");
    i.capacity = m.getInteger("capacity");
    i.lastSeen = now;
    if (i.state == InstanceState.STARTING) {
      i.state = InstanceState.READY;
      LOG.info("fleet event=registered instance={} address={}:{} capacity={} after {} ms", id, i.host, i.port,
          i.capacity, now - i.startedAt);
      persist(i);
      i.waiters.forEach(Promise::tryComplete);
      i.waiters.clear();
    }
  }

  // ---- assignment ----

  private Future<AppAddress> assign(Long user) {
    if (user == null) {
      return Future.failedFuture("no user");
    }
    String current = userInstance.get(user);
    Instance mine = current == null ? null : instances.get(current);
    if (mine != null && (mine.state == InstanceState.READY || mine.state == InstanceState.STARTING)) {
      return ready(mine, user);
    }
    Instance chosen = instances.values().stream()
        .filter(i -> i.state == InstanceState.READY && i.hasRoom())
        .min(Comparator.comparingInt(i -> i.users.size()))
        .orElse(null);
    if (chosen == null) {
      chosen = instances.values().stream()
          .filter(i -> i.state == InstanceState.STARTING && i.hasRoom())
          .findFirst().orElse(null);
    }
    if (chosen == null) {
      chosen = startInstance();
    }
    Instance target = chosen;
    target.users.add(user);
    target.idleSince = 0;
    userInstance.put(user, target.id);
    return ready(target, user).compose(address -> db.tx(c -> {
      users.assign(c, user, target.id);
      return null;
    })
        .map(n -> {
          LOG.info("fleet event=assigned user={} instance={} users={}/{}", user, target.id, target.users.size(),
              target.capacity);
          return address;
        }));
  }

  /** Completes once the instance is ready; a login that waits too long leaves no assignment behind. */
  private Future<AppAddress> ready(Instance i, long user) {
    if (i.state == InstanceState.READY) {
      return Future.succeededFuture(i.address());
    }
    Promise<Void> p = Promise.promise();
    i.waiters.add(p);
    long timer = vertx.setTimer(options.startTimeoutMillis(), t -> p.tryFail(new TimeoutException(
        "no application server became ready within " + options.startTimeoutMillis() + " ms")));
    return p.future().onComplete(x -> vertx.cancelTimer(timer)).map(v -> i.address()).onFailure(e -> {
      if (i.id.equals(userInstance.get(user))) {
        userInstance.remove(user);
        i.users.remove(user);
      }
    });
  }

  private Instance startInstance() {
    String id = "app-" + Channels.random(4);
    long now = System.currentTimeMillis();
    Instance i = new Instance(id, InstanceState.STARTING, options.capacity(), now);
    instances.put(id, i);
    persist(i);
    provider.start(specs.spec(id)).onComplete(ar -> {
      if (ar.succeeded()) {
        i.providerRef = ar.result();
        LOG.info("fleet event=started instance={} provider={} ref={}", id, provider.name(), ar.result());
        persist(i);
      } else {
        LOG.warn("fleet event=start-failed instance={} provider={}: {}", id, provider.name(), ar.cause().getMessage());
        fail(i, ar.cause());
      }
    });
    return i;
  }

  private void release(Long user) {
    String id = user == null ? null : userInstance.remove(user);
    Instance i = id == null ? null : instances.get(id);
    if (i != null) {
      i.users.remove(user);
    }
  }

  // ---- the periodic tick: lost instances, failed starts, scale in, warm spares ----

  private void tick() {
    long now = System.currentTimeMillis();
    gone.values().removeIf(until -> until < now);
    if (receiver == null && !connecting) {
      listen().onFailure(e -> LOG.warn("fleet cannot reach the broker: {}", e.getMessage()));
    }
    for (Instance i : new ArrayList<>(instances.values())) {
      switch (i.state) {
        case READY -> {
          if (now - i.lastSeen > options.lostAfterMillis()) {
            lost(i, now);
          } else if (i.users.isEmpty()) {
            if (i.idleSince == 0) {
              i.idleSince = now;
            } else if (now - i.idleSince >= options.graceMillis() && idle() > options.warmSpares()) {
              drain(i);
            }
          } else {
            i.idleSince = 0;
          }
        }
        case STARTING -> {
          if (now - i.startedAt > options.startTimeoutMillis()) {
            LOG.warn("fleet event=start-timeout instance={} after {} ms", i.id, now - i.startedAt);
            fail(i, new TimeoutException("instance did not register in time"));
          }
        }
        default -> { }
      }
    }
    for (var e : new ArrayList<>(orphans.entrySet())) {
      if (now > e.getValue().deadline()) {
        orphans.remove(e.getKey());
        LOG.info("fleet event=stopped instance={} ref={} (left by a previous run, did not register)", e.getKey(),
            e.getValue().providerRef());
        provider.stop(e.getValue().providerRef());
      }
    }
    for (long spare = idle(); spare < options.warmSpares(); spare++) {
      startInstance();
    }
  }

  /** Ready or starting instances with no users. */
  private long idle() {
    return instances.values().stream()
        .filter(i -> (i.state == InstanceState.READY || i.state == InstanceState.STARTING) && i.users.isEmpty())
        .count();
  }

  private void drain(Instance i) {
    i.state = InstanceState.DRAINING;
    gone.put(i.id, System.currentTimeMillis() + GONE_MILLIS);
    LOG.info("fleet event=draining instance={} idle for {} ms", i.id, System.currentTimeMillis() - i.idleSince);
    persist(i);
    stopThroughProvider(i).onComplete(x -> {
      i.state = InstanceState.STOPPED;
      instances.remove(i.id);
      LOG.info("fleet event=stopped instance={}", i.id);
      forget(i);
    });
  }

  private void lost(Instance i, long now) {
    i.state = InstanceState.LOST;
    gone.put(i.id, now + GONE_MILLIS);
    instances.remove(i.id);
    LOG.warn("fleet event=lost instance={} no heartbeat for {} ms, {} user(s) to reassign", i.id, now - i.lastSeen,
        i.users.size());
    i.users.forEach(userInstance::remove);
    forget(i);
    stopThroughProvider(i);
  }

  private void fail(Instance i, Throwable cause) {
    instances.remove(i.id);
    gone.put(i.id, System.currentTimeMillis() + GONE_MILLIS);
    i.users.forEach(u -> {
      if (i.id.equals(userInstance.get(u))) {
        userInstance.remove(u);
      }
    });
    i.users.clear();
    i.waiters.forEach(w -> w.tryFail(cause));
    i.waiters.clear();
    forget(i);
    stopThroughProvider(i);
  }

  private Future<Void> stopThroughProvider(Instance i) {
    if (i.providerRef == null) {
      return Future.succeededFuture();
    }
    return provider.stop(i.providerRef).recover(e -> {
      LOG.warn("fleet could not stop instance {} ({}): {}", i.id, i.providerRef, e.getMessage());
      return Future.succeededFuture();
    });
  }

  /** Removes the instance's row and every assignment to it, after any save still under way. */
  private void forget(Instance i) {
    i.saved = i.saved.transform(x -> db.<Void>tx(c -> {
      repo.unassignAll(c, i.id);
      repo.delete(c, i.id);
      return null;
    }))
        .onFailure(e -> LOG.warn("fleet could not remove instance {}: {}", i.id, e.getMessage()));
  }

  private void persist(Instance i) {
    i.saved = i.saved.transform(x -> db.<Void>tx(c -> {
      repo.save(c, i.id, i.providerRef, i.state.name(), i.host, i.state == InstanceState.STARTING ? null : i.port,
          i.capacity, i.startedAt);
      return null;
    }))
        .onFailure(e -> LOG.warn("fleet could not save instance {}: {}", i.id, e.getMessage()));
  }

  private JsonObject snapshot() {
    JsonArray list = new JsonArray();
    instances.values().forEach(i -> list.add(i.toJson()));
    return new JsonObject().put("instances", list);
  }

  private static void reply(Message<JsonObject> m, Future<AppAddress> f) {
    f.onComplete(ar -> {
      if (ar.succeeded()) {
        m.reply(ar.result().toJson());
      } else {
        m.fail(503, ar.cause().getMessage());
      }
    });
  }

  @Override
  public Future<?> stop() {
    vertx.cancelTimer(ticker);
    return amqp.close();
  }
}
