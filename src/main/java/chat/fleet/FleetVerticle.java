package chat.fleet;

import chat.fleet.FleetState.Assigned;
import chat.fleet.FleetState.Effect;
import chat.fleet.FleetState.Forget;
import chat.fleet.FleetState.Note;
import chat.fleet.FleetState.Persist;
import chat.fleet.FleetState.Refused;
import chat.fleet.FleetState.Start;
import chat.fleet.FleetState.Stop;
import chat.messaging.BrokerLink;
import chat.messaging.BrokerOptions;
import chat.messaging.Channels;
import chat.protocol.LogText;
import chat.store.Db;
import chat.store.InstanceRepository;
import chat.store.Sql;
import chat.store.UserRepository;
import io.vertx.amqp.AmqpMessage;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.SQLException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The fleet's adapter: carries {@link FleetState}'s decisions out and feeds what happens back to
 * it. Requests arrive on the event bus, registrations and heartbeats over the broker, the clock
 * every {@link #TICK_MILLIS}; effects go to the instance provider, the store, the requesters and
 * the log. Everything runs on this verticle's event loop, one event at a time.
 */
public final class FleetVerticle extends VerticleBase {
  public static final String ASSIGN = "fleet.assign";
  public static final String SERVER_OF = "fleet.serverOf";
  public static final String RELEASE = "fleet.release";
  public static final String SNAPSHOT = "fleet.snapshot";
  /** The login role could not reach an instance at all: check it now rather than at the next missed heartbeat. */
  public static final String SUSPECT = "fleet.suspect";
  /** Every fleet event, published as {@code {"event", "instance", "detail", "at"}} for whoever watches. */
  public static final String EVENTS = "fleet.events";
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
  private final FleetState state;
  /** Requests waiting for their answer, by the number given to the state. */
  private final Map<Long, Promise<AppAddress>> requests = new HashMap<>();
  /** Store writes of each instance, one after the other, so two changes never race on its row. */
  private final Map<String, Future<Void>> saves = new HashMap<>();
  private long nextRequest;
  private BrokerLink control;
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
    this.state = new FleetState(options, () -> "app-" + Channels.random(4));
  }

  @Override
  public Future<?> start() {
    vertx.eventBus().<JsonObject>consumer(ASSIGN, this::onAssign);
    vertx.eventBus().<JsonObject>consumer(SERVER_OF, this::onAssign);
    vertx.eventBus().<JsonObject>consumer(RELEASE, this::onRelease);
    vertx.eventBus().<JsonObject>consumer(SNAPSHOT, m -> m.reply(state.snapshot()));
    vertx.eventBus().<JsonObject>consumer(SUSPECT, this::onSuspect);
    control = BrokerLink.service(vertx, broker, "fleet");
    return restore().compose(v -> adoptLeftovers()).compose(v -> control.receive(FleetControl.ADDRESS, this::onControl))
        .onSuccess(v -> {
          ticker = vertx.setPeriodic(TICK_MILLIS, t -> apply(state.tick(now())));
          LOG.info("fleet ready: provider {}, capacity {} per instance, {} warm spare(s), grace {} ms",
              provider.name(), options.capacity(), options.warmSpares(), options.graceMillis());
        });
  }

  // ---- events in ----

  private Future<Void> restore() {
    // read on a worker, applied here on the verticle's event loop
    return db.tx(c -> new Saved(repo.live(c), repo.assignments(c)))
        .map(read -> {
          apply(state.restore(read.instances(), read.assignments(), now()));
          return null;
        });
  }

  /** What the store holds of the fleet. */
  private record Saved(List<InstanceRepository.Saved> instances, Map<Long, String> assignments) { }

  private Future<Void> adoptLeftovers() {
    return provider.leftovers().map(list -> {
      apply(state.leftovers(list, now()));
      return (Void) null;
    }).recover(e -> {
      LOG.warn("could not list instances left by a previous run: {}", e.getMessage());
      return Future.succeededFuture();
    });
  }

  private void onAssign(Message<JsonObject> m) {
    Long user = m.body().getLong("user");
    if (user == null) {
      m.fail(400, "no user");
      return;
    }
    long request = nextRequest++;
    Promise<AppAddress> answer = Promise.promise();
    requests.put(request, answer);
    answer.future().onComplete(ar -> {
      if (ar.succeeded()) {
        m.reply(ar.result().toJson());
      } else {
        m.fail(503, ar.cause().getMessage());
      }
    });
    apply(state.assign(request, user, now()));
  }

  private void onRelease(Message<JsonObject> m) {
    Long user = m.body().getLong("user");
    if (user != null) {
      apply(state.release(user));
    }
    m.reply(null);
  }

  private void onSuspect(Message<JsonObject> m) {
    apply(state.suspect(m.body().getString("instance"), now()));
    m.reply(null);
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
    long now = now();
    String id = m.getValue("id") instanceof String s ? s : null;
    if (id == null || !FleetControl.valid(m, FleetControl.instanceSecret(fleetKey, id), now)) {
      LOG.warn("fleet event=refused control message for instance {}: unsigned, forged, malformed or stale",
          LogText.quote(id));
      return;
    }
    apply(state.heard(new FleetState.Heard(id, m.getString("host"), m.getInteger("port"), m.getInteger("capacity")),
        now));
  }

  // ---- effects out ----

  private void apply(List<Effect> effects) {
    for (Effect e : effects) {
      if (e instanceof Start s) {
        start(s);
      } else if (e instanceof Stop s) {
        stop(s);
      } else if (e instanceof Persist p) {
        FleetState.View i = p.instance();
        store(i.id(), c -> repo.save(c, i.id(), i.providerRef(), i.state().name(), i.host(),
            i.state() == InstanceState.STARTING ? null : i.port(), i.capacity(), i.startedAt()));
      } else if (e instanceof Forget f) {
        store(f.instance(), c -> {
          repo.unassignAll(c, f.instance());
          repo.delete(c, f.instance());
        });
      } else if (e instanceof Assigned a) {
        answer(a);
      } else if (e instanceof Refused r) {
        Promise<AppAddress> p = requests.remove(r.request());
        if (p != null) {
          p.fail(r.reason());
        }
      } else if (e instanceof Note n) {
        note(n);
      }
    }
  }

  private void start(Start s) {
    provider.start(specs.spec(s.instance())).onComplete(ar -> apply(ar.succeeded()
        ? state.started(s.instance(), ar.result(), now())
        : state.startFailed(s.instance(), provider.name() + ": " + ar.cause().getMessage(), now())));
  }

  private void stop(Stop s) {
    Future<Void> stopping = s.providerRef() == null ? Future.succeededFuture() : provider.stop(s.providerRef())
        .recover(e -> {
          LOG.warn("fleet could not stop instance {} ({}): {}", s.instance(), s.providerRef(), e.getMessage());
          return Future.succeededFuture();
        });
    stopping.onComplete(x -> apply(state.stopFinished(s.instance(), now())));
  }

  /** The user's assignment is recorded in the store before the login is answered. */
  private void answer(Assigned a) {
    Promise<AppAddress> p = requests.remove(a.request());
    if (p == null) {
      return;
    }
    db.<Void>tx(c -> {
      users.assign(c, a.user(), a.address().instanceId());
      return null;
    }).map(a.address()).onComplete(p);
  }

  /** A unit of work on the instance's row, after the ones before it. */
  private void store(String instance, RowWork work) {
    Future<Void> after = saves.getOrDefault(instance, Future.succeededFuture()).transform(x -> db.<Void>tx(c -> {
      work.run(c);
      return null;
    })).recover(e -> {
      LOG.warn("fleet could not save instance {}: {}", instance, e.getMessage());
      return Future.succeededFuture();
    });
    saves.put(instance, after);
    after.onComplete(x -> saves.remove(instance, after));
  }

  /** Statements on the instance's row. */
  @FunctionalInterface
  private interface RowWork {
    void run(Sql c) throws SQLException;
  }

  private void note(Note n) {
    String line = n.instance() == null ? n.detail() : "instance=" + n.instance() + (n.detail().isEmpty() ? "" : " "
        + n.detail());
    if (n.warning()) {
      LOG.warn("fleet event={} {}", n.event(), line);
    } else {
      LOG.info("fleet event={} {}", n.event(), line);
    }
    vertx.eventBus().publish(EVENTS, new JsonObject().put("event", n.event()).put("instance", n.instance())
        .put("detail", n.detail()).put("at", now()));
  }

  private static long now() {
    return System.currentTimeMillis();
  }

  @Override
  public Future<?> stop() {
    vertx.cancelTimer(ticker);
    return control == null ? Future.succeededFuture() : control.close();
  }
}
