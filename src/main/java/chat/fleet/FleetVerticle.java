package chat.fleet;

import chat.fleet.FleetState.Assigned;
import chat.fleet.FleetState.Effect;
import chat.fleet.FleetState.Forget;
import chat.fleet.FleetState.Locate;
import chat.fleet.FleetState.Moved;
import chat.fleet.FleetState.Note;
import chat.fleet.FleetState.Persist;
import chat.fleet.FleetState.Probe;
import chat.fleet.FleetState.Refused;
import chat.fleet.FleetState.Start;
import chat.fleet.FleetState.Stop;
import chat.fleet.FleetLease.Decision;
import chat.fleet.FleetLease.Renewal;
import chat.messaging.BrokerLink;
import chat.messaging.Channels;
import chat.protocol.LogText;
import chat.store.Db;
import chat.store.LeaseRepository;
import io.vertx.amqp.AmqpMessage;
import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The fleet's adapter: carries {@link FleetState}'s decisions out and feeds what happens back to
 * it. Requests arrive on the event bus, registrations and heartbeats over the broker, the clock
 * every {@link #TICK_MILLIS}; effects go to the instance provider, the store, the requesters and
 * the log. Everything runs on this verticle's event loop, one event at a time.
 *
 * <p>Several login servers may run this verticle against one store and one broker; exactly one
 * of them drives the fleet: the one holding the store's fleet lease ({@link LeaseRepository}),
 * renewed every third of {@code fleet.leaseMillis}; {@link FleetLease} decides when to take the
 * fleet over and when to step down. Only the holder reads the instances' control queue and keeps
 * a {@link FleetState} (restored from the store when it takes the lease). The others forward
 * every fleet request to it over the broker ({@link LeaderRequests}) and pass its answer on.
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
  /** The header of an event on {@link #EVENTS} that another login server's fleet published. */
  public static final String RELAYED = "relayed";
  private static final Logger LOG = LoggerFactory.getLogger("fleet");
  private static final long TICK_MILLIS = 250;

  private final FleetStore store;
  private final InstanceProvider provider;
  private final FleetOptions options;
  /** The process's link to the broker, shared with its messenger: the control queue and the other login servers. */
  private final BrokerLink link;
  private final InstanceSpecFactory specs;
  /** Signs each instance's secret: see {@link FleetControl#instanceSecret}. */
  private final String fleetKey;
  /** This login server, as the lease and forwarded requests name it. */
  private final String serverId;
  private final FleetLease lease;
  /** The fleet, while this server holds the lease; null while another one drives it. */
  private FleetState state;
  /** Requests waiting for their answer, by the number given to the state. */
  private final Map<Long, Promise<AppAddress>> requests = new HashMap<>();
  private long nextRequest;
  private LeaderRequests leader;
  private long ticker;
  private long leaseTimer;
  private NetClient probes;

  /** Builds the spec of a new instance from its fleet id. */
  @FunctionalInterface
  public interface InstanceSpecFactory {
    InstanceSpec spec(String instanceId);
  }

  /** @param serverId this login server's name among those of the service (fleet.serverId); empty: a random one */
  public FleetVerticle(Db db, InstanceProvider provider, FleetOptions options, BrokerLink link,
                       InstanceSpecFactory specs, String fleetKey, String serverId) {
    this.serverId = serverId == null || serverId.isEmpty() ? "login-" + Channels.random(4) : serverId;
    this.fleetKey = fleetKey;
    this.store = new FleetStore(db);
    this.provider = provider;
    this.options = options;
    this.link = link;
    this.specs = specs;
    this.lease = new FleetLease(options.leaseMillis(), TICK_MILLIS);
  }

  @Override
  public Future<?> start() {
    vertx.eventBus().<JsonObject>consumer(ASSIGN, m -> onRequest(m, "assign"));
    vertx.eventBus().<JsonObject>consumer(SERVER_OF, m -> onRequest(m, "assign"));
    vertx.eventBus().<JsonObject>consumer(RELEASE, m -> onRequest(m, "release"));
    vertx.eventBus().<JsonObject>consumer(SNAPSHOT, m -> onRequest(m, "snapshot"));
    vertx.eventBus().<JsonObject>consumer(SUSPECT, m -> onRequest(m, "suspect"));
    // another server's request that was waiting here when this one stepped down goes on to the next driver too
    leader = new LeaderRequests(vertx, context, link, serverId, options.startTimeoutMillis() + 5_000,
        request -> orNextDriver(handle(request), request));
    probes = vertx.createNetClient(new NetClientOptions().setConnectTimeout(1_000));
    // the first try at the lease before serving: a lone login server drives the fleet from the
    // start; it needs none of the receivers of the login servers' requests, which attach meanwhile
    return Future.all(leader.start(this::onLeaderEvent), renewLease()).onSuccess(v -> {
      ticker = vertx.setPeriodic(TICK_MILLIS, t -> tick());
      leaseTimer = vertx.setPeriodic(lease.renewEveryMillis(), t -> renewLease());
      LOG.info("fleet ready: provider {}, capacity {} per instance ({}), {} warm spare(s), grace {} ms, "
          + "consolidation window {} ms, {}", provider.name(), options.capacity(),
          options.sizing().byLoad() ? "sized by load" : "sized by users", options.warmSpares(), options.graceMillis(),
          options.consolidateMillis(),
          state != null ? "driven by this login server" : "driven by another login server");
    });
  }

  // ---- the lease ----

  /** Takes or renews the lease; takes the fleet on when it is new, gives it up when another server has it. */
  private Future<Void> renewLease() {
    long asked = monotonic();
    return store.holdLease(serverId, options.leaseMillis()).transform(ar -> {
      if (ar.failed()) {
        LOG.debug("fleet lease not renewed: {}", ar.cause().getMessage());
      }
      Decision decision = lease.renewed(asked, renewal(ar));
      if (decision == Decision.STEP_DOWN) {
        stepDown("another login server holds the fleet lease");
      }
      return decision == Decision.TAKE_OVER ? takeOver() : Future.succeededFuture();
    });
  }

  private static Renewal renewal(AsyncResult<Boolean> held) {
    return held.failed() ? Renewal.FAILED : held.result() ? Renewal.HELD : Renewal.HELD_BY_ANOTHER;
  }

  /** This server now drives the fleet: what the store holds, what the provider finds, then the control queue. */
  private Future<Void> takeOver() {
    FleetState fresh = new FleetState(options, () -> "app-" + Channels.random(4));
    return store.read()
        .compose(read -> {
          if (!lease.restored()) {
            return Future.failedFuture("another login server took the fleet lease meanwhile");
          }
          state = fresh;
          apply(fresh.restore(read.instances(), read.assignments(), now()));
          return adoptLeftovers(fresh);
        })
        .compose(v -> link.receive(context, FleetControl.ADDRESS, this::onControl))
        .compose(v -> leader.serve())
        .transform(ar -> {
          if (lease.takeOverEnded(ar.succeeded()) == Decision.DRIVE) {
            LOG.info("fleet event=leading server={} (holds the fleet lease)", serverId);
          } else {
            // what the take-over set up is left, whether it failed or another server took the lease
            stepDown("take-over " + (ar.failed() ? "failed: " + ar.cause().getMessage() : "overtaken"));
          }
          return Future.succeededFuture();
        });
  }

  /** Another server drives the fleet now (or may, any moment): stop acting at once. */
  private void stepDown(String why) {
    state = null;
    link.stopReceiving(FleetControl.ADDRESS);
    leader.stopServing();
    requests.values().forEach(p -> p.tryFail(new SteppedDown()));
    requests.clear();
    LOG.warn("fleet event=following server={}: {}", serverId, why);
  }

  private void tick() {
    switch (lease.tick(monotonic())) {
      case STEP_DOWN -> stepDown("the fleet lease could not be renewed in time");
      case DRIVE -> apply(state.tick(now()));
      default -> { }
    }
  }

  // ---- events in ----

  private Future<Void> adoptLeftovers(FleetState fleet) {
    return provider.leftovers().map(list -> {
      if (state == fleet) {
        apply(fleet.leftovers(list, now()));
      }
      return (Void) null;
    }).recover(e -> {
      LOG.warn("could not list instances left by a previous run: {}", e.getMessage());
      return Future.succeededFuture();
    });
  }

  /**
   * A fleet request of this login server: answered here while it drives the fleet, else by the
   * one that does. One that was waiting here when this server stepped down (a lease it could not
   * renew while the store failed over, say) is asked again of whoever drives the fleet next,
   * this server included once it has the lease back, instead of failing the login it serves.
   */
  private void onRequest(Message<JsonObject> m, String op) {
    JsonObject request = (m.body() == null ? new JsonObject() : m.body().copy()).put("op", op);
    Future<JsonObject> answer = orNextDriver(route(request), request);
    answer.onComplete(ar -> {
      if (ar.failed()) {
        m.fail(503, ar.cause().getMessage());
      } else if (ar.result().containsKey("error")) {
        m.fail(503, ar.result().getString("error"));
      } else {
        m.reply(ar.result().getValue("answer"));
      }
    });
  }

  private Future<JsonObject> route(JsonObject request) {
    return state != null ? handle(request) : leader.forward(request);
  }

  /** {@code answer}, unless this server stepped down while the request waited: then whoever drives the fleet next answers it. */
  private Future<JsonObject> orNextDriver(Future<JsonObject> answer, JsonObject request) {
    return answer.recover(e -> e instanceof SteppedDown ? route(request) : Future.failedFuture(e));
  }

  /** A request was waiting on the fleet when this server stopped driving it. */
  private static final class SteppedDown extends RuntimeException {
    SteppedDown() {
      super("the fleet moved to another login server", null, false, false);
    }
  }

  /**
   * One fleet request, of this server or forwarded by another, on the fleet this server drives:
   * {"answer": ...} or {"error": ...}; fails while this server does not drive the fleet.
   */
  private Future<JsonObject> handle(JsonObject request) {
    if (state == null) {
      return Future.failedFuture("this login server does not drive the fleet");
    }
    Long user = request.getValue("user") instanceof Number n ? n.longValue() : null;
    String instance = request.getValue("instance") instanceof String s ? s : null;
    switch (request.getString("op", "")) {
      case "assign" -> {
        if (user == null) {
          return Future.succeededFuture(new JsonObject().put("error", "no user"));
        }
        long number = nextRequest++;
        Promise<AppAddress> answer = Promise.promise();
        requests.put(number, answer);
        apply(state.assign(number, user, now()));
        // a step-down fails the future (for the asker to route again); a refusal is an answer
        return answer.future().map(a -> new JsonObject().put("answer", a.toJson()))
            .recover(e -> e instanceof SteppedDown ? Future.failedFuture(e)
                : Future.succeededFuture(new JsonObject().put("error", e.getMessage())));
      }
      case "release" -> {
        if (user != null) {
          apply(state.release(user));
        }
      }
      case "suspect" -> {
        if (instance != null) {
          apply(state.suspect(instance, now()));
        }
      }
      case "snapshot" -> {
        return Future.succeededFuture(new JsonObject().put("answer", state.snapshot().put("server", serverId)));
      }
      default -> {
        return Future.succeededFuture(new JsonObject().put("error", "unknown fleet request"));
      }
    }
    return Future.succeededFuture(new JsonObject().put("answer", (Object) null));
  }

  /** A message on the control address: nothing in it is believed unless its instance signed it. */
  private void onControl(AmqpMessage message) {
    JsonObject m = BrokerLink.jsonBody(message);
    if (m == null) {
      LOG.warn("fleet event=refused unreadable control message");
      return;
    }
    if (state == null) {
      return;
    }
    long now = now();
    String id = m.getValue("id") instanceof String s ? s : null;
    if (id == null || !FleetControl.valid(m, FleetControl.instanceSecret(fleetKey, id), now)) {
      LOG.warn("fleet event=refused control message for instance {}: unsigned, forged, malformed or stale",
          LogText.quote(id));
      return;
    }
    apply(state.heard(new FleetState.Heard(id, m.getString("host"), m.getInteger("port"), m.getInteger("capacity"),
        FleetControl.load(m)), now));
  }

  // ---- effects out ----

  private void apply(List<Effect> effects) {
    for (Effect e : effects) {
      if (e instanceof Start s) {
        start(s);
      } else if (e instanceof Stop s) {
        stop(s);
      } else if (e instanceof Locate l) {
        locate(l);
      } else if (e instanceof Persist p) {
        store.save(p.instance());
      } else if (e instanceof Forget f) {
        store.forget(f.instance());
      } else if (e instanceof Moved m) {
        store.move(m.user(), m.from(), m.to());
      } else if (e instanceof Assigned a) {
        answer(a);
      } else if (e instanceof Refused r) {
        Promise<AppAddress> p = requests.remove(r.request());
        if (p != null) {
          p.fail(r.reason());
        }
      } else if (e instanceof Note n) {
        note(n);
      } else if (e instanceof Probe p) {
        probe(p);
      }
    }
  }

  private void start(Start s) {
    FleetState fleet = state;
    provider.start(specs.spec(s.instance())).onComplete(ar -> {
      if (state == fleet) {
        apply(ar.succeeded() ? fleet.started(s.instance(), ar.result(), now())
            : fleet.startFailed(s.instance(), provider.name() + ": " + ar.cause().getMessage(), now()));
      } else if (ar.succeeded()) {
        // the fleet moved on meanwhile: the next holder finds the instance by its row
        store.recordProviderRef(s.instance(), ar.result());
      }
    });
  }

  private void stop(Stop s) {
    Future<Void> stopping = s.providerRef() == null ? Future.succeededFuture() : provider.stop(s.providerRef())
        .recover(e -> {
          LOG.warn("fleet could not stop instance {} ({}): {}", s.instance(), s.providerRef(), e.getMessage());
          return Future.succeededFuture();
        });
    FleetState fleet = state;
    stopping.onComplete(x -> {
      if (state == fleet) {
        apply(fleet.stopFinished(s.instance(), now()));
      }
    });
  }

  private void locate(Locate l) {
    FleetState fleet = state;
    provider.locate(l.instance()).otherwise(e -> {
      LOG.warn("fleet could not look for instance {}: {}", l.instance(), e.getMessage());
      return null;
    }).onSuccess(ref -> {
      if (state == fleet) {
        apply(fleet.located(l.instance(), ref, now()));
      } else if (ref != null) {
        store.recordProviderRef(l.instance(), ref);
      }
    });
  }

  /** Whether a silent instance's port still takes a connection, within a second. */
  private void probe(Probe p) {
    FleetState fleet = state;
    if (p.host() == null || p.port() <= 0) {
      apply(fleet.probed(p.instance(), false, now()));
      return;
    }
    probes.connect(p.port(), p.host())
        .compose(socket -> socket.close().map(true))
        .otherwise(false)
        .onSuccess(answered -> {
          if (state == fleet) {
            apply(fleet.probed(p.instance(), answered, now()));
          }
        });
  }

  /** The user's assignment is recorded in the store before the login is answered. */
  private void answer(Assigned a) {
    Promise<AppAddress> p = requests.remove(a.request());
    if (p == null) {
      return;
    }
    store.assign(a.user(), a.address().instanceId()).map(a.address()).onComplete(p);
  }

  private void note(Note n) {
    String line = n.instance() == null ? n.detail() : "instance=" + n.instance() + (n.detail().isEmpty() ? "" : " "
        + n.detail());
    if (n.warning()) {
      LOG.warn("fleet event={} {}", n.event(), line);
    } else {
      LOG.info("fleet event={} {}", n.event(), line);
    }
    JsonObject event = new JsonObject().put("event", n.event()).put("instance", n.instance())
        .put("detail", n.detail()).put("millis", n.millis() < 0 ? null : n.millis()).put("at", now());
    vertx.eventBus().publish(EVENTS, event);
    leader.publish(event);
  }

  /**
   * An event of the fleet another login server drives, published here for this server's fleet
   * page, marked {@link #RELAYED}: this server's metrics count only what it did itself.
   */
  private void onLeaderEvent(JsonObject event) {
    if (state == null) {
      vertx.eventBus().publish(EVENTS, event, new DeliveryOptions().addHeader(RELAYED, "true"));
    }
  }

  private static long now() {
    return System.currentTimeMillis();
  }

  private static long monotonic() {
    return System.nanoTime() / 1_000_000;
  }

  /** Gives the lease up on the way out, so another login server takes the fleet on without waiting for it to run out. */
  @Override
  public Future<?> stop() {
    vertx.cancelTimer(ticker);
    vertx.cancelTimer(leaseTimer);
    boolean held = state != null;
    state = null;
    lease.released();
    Future<Void> released = held ? store.releaseLease(serverId) : Future.succeededFuture();
    link.stopReceiving(FleetControl.ADDRESS);
    if (leader != null) {
      leader.stop();
    }
    return released.compose(v -> probes == null ? Future.succeededFuture() : probes.close());
  }
}
