package chat.fleet;

import chat.fleet.Lifecycle.Event;
import chat.store.InstanceRepository;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The fleet with no I/O: the registry of application instances, the users assigned to each,
 * and every decision about them. Events come in as method calls with the time they happen
 * ({@code now}, in milliseconds); what the fleet must do about them comes out as
 * {@link Effect}s, which {@link FleetVerticle} carries out and whose outcomes it feeds back as
 * events ({@link #started}, {@link #stopFinished}, ...). Where an instance goes on an event is
 * {@link Lifecycle}'s table; when an event happens is decided here.
 *
 * <p>Not thread-safe: one event at a time, as on the fleet verticle's event loop, so every
 * decision sees the whole registry (30 concurrent first logins start exactly 3 instances).
 */
public final class FleetState {
  /** How long the id of an instance that left stays known, so its late messages do not bring it back. */
  static final long GONE_MILLIS = 10 * 60_000;

  // ---- what comes out ----

  /** Something the fleet needs done. */
  public sealed interface Effect permits Start, Stop, Locate, Persist, Forget, Assigned, Refused, Moved, Note, Probe { }

  /** Ask the provider for instance {@code instance}; answer with {@link #started} or {@link #startFailed}. */
  public record Start(String instance) implements Effect { }

  /**
   * Ask the provider to stop {@code providerRef} (null: nothing to stop); answer with
   * {@link #stopFinished}. {@code instance} is null for what a previous run left behind.
   */
  public record Stop(String instance, String providerRef) implements Effect { }

  /**
   * Ask the provider to find an instance by its fleet id; answer with {@link #located}. For one
   * that registered although neither this run started it nor the provider listed it as left by
   * an earlier one (another login server started it, then lost the fleet before it could record
   * it), and for one that leaves with no provider reference known, so that nothing keeps running.
   */
  public record Locate(String instance) implements Effect { }

  /**
   * The instance's heartbeats stopped: see whether its port still answers (a slow or failing-over
   * broker delays heartbeats, not the instance); answer with {@link #probed}.
   */
  public record Probe(String instance, String host, int port) implements Effect { }

  /** Save the instance's row, after any earlier save or removal of it. */
  public record Persist(View instance) implements Effect { }

  /** Remove the instance's row and every assignment to it, after any earlier save of it. */
  public record Forget(String instance) implements Effect { }

  /** Request {@code request} is answered: {@code user} is served by {@code address} (record it, then reply). */
  public record Assigned(long request, long user, AppAddress address) implements Effect { }

  /** Request {@code request} cannot be answered with a server. */
  public record Refused(long request, String reason) implements Effect { }

  /**
   * Consolidation moved {@code user} from instance {@code from} to instance {@code to}: record
   * the new assignment. Its next command forwarded by a login server goes to {@code to}; one
   * sent straight to {@code from} is still answered there (application servers hold no user
   * state) until {@code from} stops, after which the client asks the login server again.
   */
  public record Moved(long user, String from, String to) implements Effect { }

  /**
   * A fleet event worth telling an operator: {@code event} names it, {@code detail} says the
   * rest; {@code millis} is the event's duration where it has one (time to register), else -1.
   */
  public record Note(String event, String instance, String detail, boolean warning, long millis) implements Effect {
    public Note(String event, String instance, String detail, boolean warning) {
      this(event, instance, detail, warning, -1);
    }
  }

  /** One instance as seen from outside: what is saved, listed and reported. */
  public record View(String id, String providerRef, InstanceState state, String host, int port, int capacity,
                     long startedAt, int users) {
    public JsonObject toJson() {
      return new JsonObject().put("id", id).put("state", state.name().toLowerCase()).put("users", users)
          .put("host", host).put("port", state == InstanceState.STARTING ? null : port)
          .put("startedAt", Instant.ofEpochMilli(startedAt).toString())
          .put("capacity", capacity).put("provider", providerRef);
    }
  }

  /**
   * A signed message from an instance, already checked: it names itself, where it serves, and
   * the load it measured ({@code null} when it reports none).
   */
  public record Heard(String instance, String host, int port, int capacity, Load load) {
    public Heard(String instance, String host, int port, int capacity) {
      this(instance, host, port, capacity, null);
    }
  }

  /** What an instance measured over its last heartbeat interval: CPU as a share of its machine (0..1), requests/s. */
  public record Load(double cpu, double requestsPerSecond) { }

  // ---- what is kept ----

  private static final class Instance {
    final String id;
    String providerRef;
    InstanceState state;
    String host;
    int port;
    int capacity;
    final long startedAt;
    long lastSeen;
    long idleSince = -1;
    boolean probing;
    /** Restored from a row saved before it registered: it takes no one until it registers, and has little time to. */
    boolean unconfirmed;
    /** Its utilisation as last reported (by measured load only), and how many users it had then. */
    double reported;
    int usersAtReport;
    boolean hasReport;
    final Set<Long> users = new HashSet<>();
    final List<Waiter> waiters = new ArrayList<>();

    Instance(String id, InstanceState state, int capacity, long startedAt) {
      this.id = id;
      this.state = state;
      this.capacity = capacity;
      this.startedAt = startedAt;
      this.lastSeen = startedAt;
    }

    View view() {
      return new View(id, providerRef, state, host, port, capacity, startedAt, users.size());
    }
  }

  /** A login waiting for its starting instance, until {@code deadline}. */
  private record Waiter(long request, long user, long deadline) { }

  /** An instance a previous run left behind: adopted if it registers before {@code deadline}, stopped otherwise. */
  private record Orphan(String providerRef, long deadline) { }

  private final FleetOptions options;
  private final Supplier<String> newId;
  private final Map<String, Instance> instances = new LinkedHashMap<>();
  private final Map<Long, Instance> userInstance = new HashMap<>();
  private final Map<String, Orphan> orphans = new HashMap<>();
  private final Map<String, Long> gone = new HashMap<>();
  private List<Effect> out = new ArrayList<>();
  /** The instances needed at each tick of the last window, kept as a sliding maximum: (time, needed). */
  private final ArrayDeque<long[]> peaks = new ArrayDeque<>();
  /** Since when more instances have been in service than needed; -1 while not. */
  private long excessSince = -1;
  /** When each user was last moved by consolidation, within the last window. */
  private final Map<Long, Long> movedAt = new HashMap<>();

  /** @param newId names each new instance (unique within the fleet) */
  public FleetState(FleetOptions options, Supplier<String> newId) {
    this.options = options;
    this.newId = newId;
  }

  // ---- events ----

  /** What the store held when the login role started: instances in service and who was on them. */
  public List<Effect> restore(List<InstanceRepository.Saved> saved, Map<Long, String> assigned, long now) {
    for (InstanceRepository.Saved s : saved) {
      // until it is heard from again, a saved instance that had registered counts as ready (its
      // heartbeats will confirm it); one saved before it registered has no address to give: it
      // takes no one, and is given up unless it registers within the lost-after interval
      boolean registered = s.host() != null && s.port() != null && s.port() > 0;
      Instance i = new Instance(s.id(), registered ? InstanceState.READY : InstanceState.STARTING, s.capacity(),
          s.startedAt());
      i.unconfirmed = !registered;
      i.providerRef = s.providerRef();
      i.host = s.host();
      i.port = s.port() == null ? 0 : s.port();
      i.lastSeen = now;
      instances.put(i.id, i);
    }
    assigned.forEach((user, id) -> {
      Instance i = instances.get(id);
      if (i != null && !i.unconfirmed) {
        i.users.add(user);
        userInstance.put(user, i);
      }
    });
    if (!instances.isEmpty()) {
      note("restored", null, instances.size() + " instance(s) with " + userInstance.size() + " user(s) from the store");
    }
    return drain();
  }

  /** What the provider found running from an earlier run: known ones get their reference, others may register. */
  public List<Effect> leftovers(List<InstanceProvider.Leftover> found, long now) {
    long deadline = now + options.lostAfterMillis() * 2;
    for (InstanceProvider.Leftover l : found) {
      Instance known = l.instanceId() == null ? null : instances.get(l.instanceId());
      if (known != null) {
        known.providerRef = l.providerRef();
      } else {
        orphans.put(l.instanceId() == null ? l.providerRef() : l.instanceId(), new Orphan(l.providerRef(), deadline));
      }
    }
    return drain();
  }

  /**
   * A user logs in (or is forwarded): its server if it has one in service, else the ready
   * instance with room and the fewest users, else a starting one with room, else a new one.
   * An empty instance comes last among the ready ones: it is a warm spare, and a user put on
   * it would use it up (and start another) while instances with users have room.
   * Answered at once by {@link Assigned}, or when the instance registers, or refused at its deadline.
   */
  public List<Effect> assign(long request, long user, long now) {
    Instance mine = userInstance.get(user);
    if (mine == null || !mine.state.inService()) {
      mine = instances.values().stream()
          .filter(i -> i.state == InstanceState.READY && room(i) > 0)
          .min(Comparator.<Instance>comparingInt(i -> i.users.isEmpty() ? 1 : 0).thenComparingInt(i -> i.users.size()))
          .or(() -> instances.values().stream().filter(i -> i.state == InstanceState.STARTING && !i.unconfirmed && room(i) > 0)
              .findFirst())
          .orElseGet(() -> start(now));
      mine.users.add(user);
      mine.idleSince = -1;
      userInstance.put(user, mine);
      note("assigned", mine.id, "user=" + user + " users=" + mine.users.size() + "/" + mine.capacity);
    }
    if (mine.state == InstanceState.READY) {
      out.add(new Assigned(request, user, address(mine)));
    } else {
      mine.waiters.add(new Waiter(request, user, now + options.startTimeoutMillis()));
    }
    return drain();
  }

  /** The user logged out or was deleted: it no longer counts on its server. */
  public List<Effect> release(long user) {
    Instance i = userInstance.remove(user);
    if (i != null) {
      i.users.remove(user);
    }
    return drain();
  }

  /**
   * A signed registration or heartbeat. An instance keeps the address it registered with; one
   * that left is not brought back; an unknown one (left by an earlier run) is adopted.
   */
  public List<Effect> heard(Heard m, long now) {
    Instance i = instances.get(m.instance());
    if (i == null && gone.containsKey(m.instance())) {
      return drain();
    }
    if (i != null && i.state == InstanceState.READY && i.host != null && i.port > 0
        && (!m.host().equals(i.host) || m.port() != i.port)) {
      note("refused", i.id, "message names " + m.host() + ":" + m.port() + " but it registered at " + i.host + ":"
          + i.port, true);
      return drain();
    }
    if (i == null) {
      Orphan orphan = orphans.remove(m.instance());
      i = new Instance(m.instance(), InstanceState.STARTING, m.capacity(), now);
      i.providerRef = orphan == null ? null : orphan.providerRef();
      instances.put(i.id, i);
      note("adopted", i.id, "(registered without being started by this run)");
      if (i.providerRef == null) {
        out.add(new Locate(i.id));
      }
    }
    if (!i.state.inService()) {
      return drain();
    }
    i.host = m.host();
    i.port = m.port();
    i.capacity = m.capacity();
    i.lastSeen = now;
    if (m.load() != null) {
      i.reported = Math.max(m.load().cpu() / options.sizing().targetCpu(),
          m.load().requestsPerSecond() / options.sizing().targetRequestsPerSecond());
      i.usersAtReport = i.users.size();
      i.hasReport = true;
    }
    if (i.state == InstanceState.STARTING) {
      move(i, Event.REGISTERED, now);
    }
    return drain();
  }

  /** A login server could not reach the instance at all: it is lost now rather than at its next missed heartbeat. */
  public List<Effect> suspect(String instance, long now) {
    Instance i = instances.get(instance);
    if (i != null && i.state == InstanceState.READY) {
      move(i, Event.SUSPECTED, now);
    }
    return drain();
  }

  /**
   * What the probe of a silent instance found: one whose port answers is alive and waits for its
   * heartbeats a while longer; one that does not is lost.
   */
  public List<Effect> probed(String instance, boolean answered, long now) {
    Instance i = instances.get(instance);
    if (i != null && i.probing) {
      i.probing = false;
      if (i.state == InstanceState.READY && now - i.lastSeen > options.lostAfterMillis()) {
        if (answered) {
          note("silent", i.id, "no heartbeat for " + (now - i.lastSeen) + " ms, but its port answers", true);
          i.lastSeen = now;
        } else {
          move(i, Event.SILENT, now);
        }
      }
    }
    return drain();
  }

  /** The provider accepted to start the instance and knows it as {@code providerRef}. */
  public List<Effect> started(String instance, String providerRef, long now) {
    Instance i = instances.get(instance);
    if (i == null) {
      // given up (and removed) before the provider answered: nothing may keep running
      out.add(new Stop(null, providerRef));
      return drain();
    }
    i.providerRef = providerRef;
    note("started", i.id, "ref=" + providerRef);
    if (i.state.inService()) {
      out.add(new Persist(i.view()));
    } else {
      out.add(new Stop(i.id, providerRef));
    }
    return drain();
  }

  /**
   * What the provider found of an instance it was asked to locate ({@link Locate}): its
   * reference, or null when it found none. One in service is stopped with that reference from
   * now on; one that left (stopped with nothing to stop) is stopped now.
   */
  public List<Effect> located(String instance, String providerRef, long now) {
    Instance i = instances.get(instance);
    if (providerRef == null) {
      if (i != null && i.providerRef == null) {
        note("unlocated", instance, "the provider finds no instance by this id: the fleet cannot stop it", true);
      }
    } else if (i == null || !i.state.inService()) {
      note("stopped", instance, "ref=" + providerRef + " (found after it left the fleet)");
      out.add(new Stop(null, providerRef));
    } else if (i.providerRef == null) {
      i.providerRef = providerRef;
      note("located", i.id, "ref=" + providerRef);
      out.add(new Persist(i.view()));
    }
    return drain();
  }

  /** The provider could not start the instance. */
  public List<Effect> startFailed(String instance, String reason, long now) {
    Instance i = instances.get(instance);
    if (i != null) {
      note("start-failed", i.id, reason, true);
      move(i, Event.START_FAILED, now);
    }
    return drain();
  }

  /** The provider finished stopping the instance (or gave up on it): only now does it leave the registry. */
  public List<Effect> stopFinished(String instance, long now) {
    Instance i = instance == null ? null : instances.get(instance);
    if (i != null) {
      move(i, Event.STOP_FINISHED, now);
    }
    return drain();
  }

  /** The clock: silent instances, late starts and logins, idle instances, leftovers, consolidation and warm spares. */
  public List<Effect> tick(long now) {
    gone.values().removeIf(until -> until < now);
    for (Instance i : new ArrayList<>(instances.values())) {
      switch (i.state) {
        case READY -> {
          if (now - i.lastSeen > options.lostAfterMillis()) {
            if (!i.probing) {
              i.probing = true;
              out.add(new Probe(i.id, i.host, i.port));
            }
          } else if (!i.users.isEmpty()) {
            i.idleSince = -1;
          } else if (i.idleSince < 0) {
            i.idleSince = now;
          } else if (now - i.idleSince >= options.graceMillis() && idle() > options.warmSpares()) {
            move(i, Event.IDLE, now);
          }
        }
        case STARTING -> {
          refuseLate(i, now);
          // from its start, or from when a fleet taken over restored it
          if (now - i.lastSeen > (i.unconfirmed ? options.lostAfterMillis() : options.startTimeoutMillis())) {
            move(i, Event.START_TIMED_OUT, now);
          }
        }
        default -> { }
      }
    }
    for (Iterator<Map.Entry<String, Orphan>> it = orphans.entrySet().iterator(); it.hasNext(); ) {
      Map.Entry<String, Orphan> e = it.next();
      if (now > e.getValue().deadline()) {
        it.remove();
        note("stopped", e.getKey(), "ref=" + e.getValue().providerRef() + " (left by a previous run, did not register)");
        out.add(new Stop(null, e.getValue().providerRef()));
      }
    }
    consolidate(now);
    for (long spare = idle(); spare < options.warmSpares(); spare++) {
      start(now);
    }
    return drain();
  }

  // ---- what is seen ----

  /** Every instance in the registry, in the order they were started. */
  public List<View> instances() {
    return instances.values().stream().map(Instance::view).toList();
  }

  /** The registry as the admin endpoint lists it. */
  public JsonObject snapshot() {
    JsonArray list = new JsonArray();
    instances.values().forEach(i -> list.add(i.view().toJson()));
    return new JsonObject().put("instances", list);
  }

  /** The instance {@code user} is assigned to, or null. */
  public String instanceOf(long user) {
    Instance i = userInstance.get(user);
    return i == null ? null : i.id;
  }

  /**
   * The instances the fleet needs now: enough for its users (by count, or by the load they
   * make) and the warm spares.
   */
  public int needed() {
    double full = Math.ceil(userInstance.size() / (double) options.capacity());
    if (options.sizing().byLoad()) {
      double perUser = perUserLoad();
      double load = 0;
      for (Instance i : instances.values()) {
        if (i.state.inService()) {
          load += utilisation(i, perUser);
        }
      }
      // a little slack so that float noise never asks for one instance more
      full = Math.max(full, Math.ceil(load - 1e-9));
    }
    return (int) full + options.warmSpares();
  }

  // ---- consolidation ----

  /**
   * When the instances in service have exceeded what the fleet needs for a whole window, and
   * exceed the most it needed at any tick of that window (so a login of the same window would
   * not need a stopped instance again), the least-loaded instances whose users fit elsewhere
   * are emptied: their users move to the fullest instances with room, and they drain. A user
   * moved within the window is not moved again: an instance holding one is not emptied.
   */
  private void consolidate(long now) {
    long window = options.consolidateMillis();
    if (window <= 0) {
      return;
    }
    int needed = needed();
    while (!peaks.isEmpty() && peaks.peekLast()[1] <= needed) {
      peaks.pollLast();
    }
    peaks.addLast(new long[] {now, needed});
    while (peaks.peekFirst()[0] <= now - window) {
      peaks.pollFirst();
    }
    movedAt.values().removeIf(at -> at <= now - window);
    long inService = instances.values().stream().filter(i -> i.state.inService()).count();
    if (inService <= needed) {
      excessSince = -1;
      return;
    }
    if (excessSince < 0) {
      excessSince = now;
    }
    long peak = peaks.peekFirst()[1];
    // idle instances beyond the spares drain after their grace period anyway
    long surplus = inService - peak - Math.max(0, idle() - options.warmSpares());
    if (now - excessSince < window || surplus <= 0) {
      return;
    }
    List<Instance> occupied = instances.values().stream()
        .filter(i -> i.state == InstanceState.READY && !i.users.isEmpty())
        .sorted(Comparator.<Instance>comparingInt(i -> i.users.size()).thenComparing(i -> -i.startedAt))
        .toList();
    long room = 0;
    for (Instance i : occupied) {
      room += room(i);
    }
    List<Instance> emptied = new ArrayList<>();
    for (Instance d : occupied) {
      if (emptied.size() >= surplus) {
        break;
      }
      long elsewhere = room - room(d);
      if (d.users.size() <= elsewhere && d.users.stream().noneMatch(movedAt::containsKey)) {
        emptied.add(d);
        room = elsewhere - d.users.size();
      }
    }
    if (emptied.isEmpty()) {
      return;
    }
    List<Instance> receivers = new ArrayList<>(occupied);
    receivers.removeAll(emptied);
    for (Instance from : emptied) {
      for (Long user : List.copyOf(from.users)) {
        // the fullest instance with room: instances fill up, which leaves the others to empty next
        Instance to = receivers.stream().filter(r -> room(r) > 0).max(Comparator.comparingInt(r -> r.users.size()))
            .orElse(null);
        if (to == null) {
          break;
        }
        from.users.remove(user);
        to.users.add(user);
        userInstance.put(user, to);
        movedAt.put(user, now);
        out.add(new Moved(user, from.id, to.id));
        note("moved", from.id, "user=" + user + " to=" + to.id + " users=" + to.users.size() + "/" + to.capacity);
      }
      if (from.users.isEmpty()) {
        move(from, Event.EMPTIED, now);
      }
    }
  }

  /** How many more users {@code i} can take. */
  private int room(Instance i) {
    int free = Math.max(0, i.capacity - i.users.size());
    if (!options.sizing().byLoad() || free == 0) {
      return free;
    }
    double perUser = perUserLoad();
    double left = 1 - utilisation(i, perUser);
    return left <= 0 ? 0 : (int) Math.min(free, Math.floor(left / perUser + 1e-9));
  }

  /**
   * The utilisation of {@code i} by measured load: what it last reported, plus what the users
   * assigned to it since (or minus those gone) make at the fleet's load per user.
   */
  private double utilisation(Instance i, double perUser) {
    double base = i.hasReport ? i.reported : 0;
    int since = i.users.size() - (i.hasReport ? i.usersAtReport : 0);
    return Math.max(0, base + since * perUser);
  }

  /** The fleet's utilisation per user, from the instances that reported with users; until then, 1 / capacity. */
  private double perUserLoad() {
    double load = 0;
    long users = 0;
    for (Instance i : instances.values()) {
      if (i.state == InstanceState.READY && i.hasReport && i.usersAtReport > 0) {
        load += i.reported;
        users += i.usersAtReport;
      }
    }
    return users == 0 || load <= 0 ? 1.0 / options.capacity() : load / users;
  }

  // ---- transitions ----

  /** Moves {@code i} as the table says, then does what entering the new state means. */
  private void move(Instance i, Event event, long now) {
    InstanceState to = Lifecycle.next(i.state, event);
    if (to == null) {
      return;
    }
    i.state = to;
    switch (to) {
      case READY -> {
        i.unconfirmed = false;
        out.add(new Note("registered", i.id, "address=" + i.host + ":" + i.port + " capacity=" + i.capacity
            + " after " + (now - i.startedAt) + " ms", false, now - i.startedAt));
        out.add(new Persist(i.view()));
        AppAddress address = address(i);
        i.waiters.forEach(w -> out.add(new Assigned(w.request(), w.user(), address)));
        i.waiters.clear();
      }
      case DRAINING -> {
        note("draining", i.id, event == Event.EMPTIED ? "its users moved to other instances"
            : "idle for " + (now - i.idleSince) + " ms");
        leave(i, now, "stopped");
      }
      case LOST -> {
        note("lost", i.id, (event == Event.SUSPECTED ? "unreachable" : "no heartbeat for " + (now - i.lastSeen)
            + " ms") + ", " + i.users.size() + " user(s) to reassign", true);
        leave(i, now, "lost");
      }
      case FAILED -> {
        if (event == Event.START_TIMED_OUT) {
          note("start-timeout", i.id, "after " + (now - i.startedAt) + " ms", true);
        }
        leave(i, now, "no application server became ready");
      }
      case STOPPED -> {
        instances.remove(i.id);
        note("stopped", i.id, "");
        out.add(new Forget(i.id));
      }
      default -> throw new IllegalStateException("no instance enters " + to);
    }
  }

  /** Out of service: its users and waiting logins go elsewhere, its id is not taken back, and it is stopped. */
  private void leave(Instance i, long now, String why) {
    gone.put(i.id, now + GONE_MILLIS);
    for (Long u : i.users) {
      userInstance.remove(u, i);
    }
    i.users.clear();
    i.waiters.forEach(w -> out.add(new Refused(w.request(), why)));
    i.waiters.clear();
    out.add(new Persist(i.view()));
    out.add(new Stop(i.id, i.providerRef));
    if (i.providerRef == null) {
      // nothing known to stop: one another login server started, and never recorded, may still
      // run (or boot, and never register); what the provider finds of it is stopped (located)
      out.add(new Locate(i.id));
    }
  }

  /** Logins that waited for {@code i} past their deadline are refused and leave no assignment behind. */
  private void refuseLate(Instance i, long now) {
    for (Iterator<Waiter> it = i.waiters.iterator(); it.hasNext(); ) {
      Waiter w = it.next();
      if (now >= w.deadline()) {
        it.remove();
        out.add(new Refused(w.request(), "no application server became ready within " + options.startTimeoutMillis()
            + " ms"));
        if (userInstance.remove(w.user(), i)) {
          i.users.remove(w.user());
        }
      }
    }
  }

  private Instance start(long now) {
    Instance i = new Instance(newId.get(), InstanceState.STARTING, options.capacity(), now);
    instances.put(i.id, i);
    out.add(new Persist(i.view()));
    out.add(new Start(i.id));
    return i;
  }

  /** Instances in service with no users. */
  private long idle() {
    return instances.values().stream().filter(i -> i.state.inService() && i.users.isEmpty()).count();
  }

  private static AppAddress address(Instance i) {
    return new AppAddress(i.id, i.host, i.port);
  }

  private void note(String event, String instance, String detail) {
    note(event, instance, detail, false);
  }

  private void note(String event, String instance, String detail, boolean warning) {
    out.add(new Note(event, instance, detail, warning));
  }

  /** The effects gathered while handling one event. */
  private List<Effect> drain() {
    List<Effect> done = out;
    out = new ArrayList<>();
    return done;
  }
}
