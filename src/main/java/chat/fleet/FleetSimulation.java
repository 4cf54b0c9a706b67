package chat.fleet;

import chat.fleet.FleetState.Assigned;
import chat.fleet.FleetState.Effect;
import chat.fleet.FleetState.Moved;
import chat.fleet.FleetState.Refused;
import chat.fleet.FleetState.Start;
import chat.fleet.FleetState.Stop;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * A simulated day of the fleet: {@link FleetState} as it runs in the login role, against a
 * simulated clock and provider, in seconds of real time ({@code make simulate}).
 *
 * <p>The day, drawn once from a fixed seed:
 * <ul>
 *   <li><b>Arrivals.</b> Each user logs in once. Its time of day is drawn from a mixture: 20%
 *   uniform over the 24 hours, 30% normal around 12:30 (σ 1.5 h), 50% normal around 20:30
 *   (σ 2 h), folded onto the day.</li>
 *   <li><b>Sessions.</b> Log-normal with a median of 20 minutes (σ of the logarithm 1.0, so a
 *   mean of 33 minutes), at least 1 minute and at most 4 hours; a user logs out at its end.</li>
 *   <li><b>Boot.</b> A started instance registers after a time uniform between 25 and 30 s (an
 *   EC2 instance from {@code RunInstances} to a listening JVM); a stop takes 1 s.</li>
 * </ul>
 * The fleet ticks every second; instances beat every two.
 *
 * <p>It reports instance-hours (from each start to its stop's end) against the lower bound,
 * the integral over the day of ⌈online users / capacity⌉; the maximum and 99th percentile of
 * how long a login waited for an instance; starts and stops; the peak fleet size.
 */
public final class FleetSimulation {
  private static final long HOUR = 3_600_000;
  private static final long DAY = 24 * HOUR;
  private static final long TICK = 1_000;

  /** What one run is: the population and seed, and the fleet's options. */
  public record Params(String name, int users, long seed, FleetOptions options) { }

  /** What one run measured. */
  public record Result(String name, double instanceHours, double lowerBound, long maxWaitMillis, long p99WaitMillis,
                       int logins, int refused, int starts, int stops, int peakFleet, int peakOnline, int moves) {
    public double ratio() {
      return lowerBound == 0 ? 0 : instanceHours / lowerBound;
    }
  }

  /** One user's day: when it logs in and out. */
  private record Session(long user, long in, long out) { }

  private enum Kind { LOGIN, LOGOUT, BOOTED, STOPPED }

  private record Event(long at, long seq, Kind kind, long user, String instance) { }

  private FleetSimulation() { }

  /** The day's sessions for {@code users} users, from {@code seed}. */
  static List<Session> day(int users, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    List<Session> day = new ArrayList<>(users);
    for (long u = 0; u < users; u++) {
      double pick = random.nextDouble();
      double hour = pick < 0.2 ? random.nextDouble() * 24
          : pick < 0.5 ? 12.5 + 1.5 * gaussian(random) : 20.5 + 2 * gaussian(random);
      long in = Math.floorMod((long) (hour * HOUR), DAY);
      double minutes = Math.exp(Math.log(20) + gaussian(random));
      long length = (long) (Math.max(1, Math.min(240, minutes)) * 60_000);
      day.add(new Session(u, in, in + length));
    }
    return day;
  }

  private static double gaussian(SplittableRandom random) {
    // Box-Muller: SplittableRandom has no nextGaussian before Java 17's RandomGenerator default
    double u1 = 1 - random.nextDouble();
    double u2 = random.nextDouble();
    return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
  }

  /** Runs the day through a fresh fleet. */
  public static Result run(Params p) {
    List<Session> day = day(p.users(), p.seed());
    SplittableRandom boots = new SplittableRandom(p.seed() ^ 0x5DEECE66DL);
    PriorityQueue<Event> queue = new PriorityQueue<>((a, b) -> a.at != b.at ? Long.compare(a.at, b.at)
        : Long.compare(a.seq, b.seq));
    long[] seq = {0};
    for (Session s : day) {
      queue.add(new Event(s.in(), seq[0]++, Kind.LOGIN, s.user(), null));
      queue.add(new Event(s.out(), seq[0]++, Kind.LOGOUT, s.user(), null));
    }
    int[] ids = {0};
    FleetState fleet = new FleetState(p.options(), () -> "sim-" + (++ids[0]));
    Map<Long, Long> asked = new HashMap<>();
    Set<String> alive = new LinkedHashSet<>();
    Set<String> ready = new LinkedHashSet<>();
    Map<String, Integer> ports = new HashMap<>();
    long[] waits = new long[p.users()];
    int[] counts = new int[5]; // logins answered, refused, starts, stops, moves
    long end = day.stream().mapToLong(Session::out).max().orElse(0) + HOUR;
    long instanceMillis = 0;
    long boundMillis = 0;
    int online = 0;
    int peakFleet = 0;
    int peakOnline = 0;
    long nextRequest = 0;

    for (long now = 0; now <= end; now += TICK) {
      while (!queue.isEmpty() && queue.peek().at <= now) {
        Event e = queue.poll();
        List<Effect> out = switch (e.kind) {
          case LOGIN -> {
            online++;
            asked.put(nextRequest, e.at);
            yield fleet.assign(nextRequest++, e.user, e.at);
          }
          case LOGOUT -> {
            online--;
            yield fleet.release(e.user);
          }
          case BOOTED -> {
            ready.add(e.instance);
            yield fleet.heard(new FleetState.Heard(e.instance, "10.0.0.1", ports.get(e.instance),
                p.options().capacity()), e.at);
          }
          case STOPPED -> {
            alive.remove(e.instance);
            ready.remove(e.instance);
            yield fleet.stopFinished(e.instance, e.at);
          }
        };
        carryOut(out, e.at, fleet, queue, seq, asked, waits, counts, alive, ports, boots);
      }
      if (now % (2 * TICK) == 0) {
        for (String id : ready) {
          fleet.heard(new FleetState.Heard(id, "10.0.0.1", ports.get(id), p.options().capacity()), now);
        }
      }
      carryOut(fleet.tick(now), now, fleet, queue, seq, asked, waits, counts, alive, ports, boots);
      instanceMillis += alive.size() * TICK;
      boundMillis += (long) Math.ceil(online / (double) p.options().capacity()) * TICK;
      peakFleet = Math.max(peakFleet, alive.size());
      peakOnline = Math.max(peakOnline, online);
    }
    long[] answered = Arrays.copyOf(waits, counts[0]);
    Arrays.sort(answered);
    long max = answered.length == 0 ? 0 : answered[answered.length - 1];
    long p99 = answered.length == 0 ? 0 : answered[(int) Math.min(answered.length - 1, Math.ceil(answered.length * 0.99) - 1)];
    return new Result(p.name(), instanceMillis / (double) HOUR, boundMillis / (double) HOUR, max, p99, counts[0],
        counts[1], counts[2], counts[3], peakFleet, peakOnline, counts[4]);
  }

  /** The simulated provider and requesters: starts boot, stops finish, answers are timed. */
  private static void carryOut(List<Effect> effects, long now, FleetState fleet, PriorityQueue<Event> queue, long[] seq,
                               Map<Long, Long> asked, long[] waits, int[] counts, Set<String> alive,
                               Map<String, Integer> ports, SplittableRandom boots) {
    List<Effect> more = new ArrayList<>();
    for (Effect e : effects) {
      if (e instanceof Start s) {
        counts[2]++;
        alive.add(s.instance());
        ports.put(s.instance(), 7000 + ports.size());
        more.addAll(fleet.started(s.instance(), "ref-" + s.instance(), now));
        queue.add(new Event(now + 25_000 + boots.nextLong(5_001), seq[0]++, Kind.BOOTED, 0, s.instance()));
      } else if (e instanceof Stop s && s.instance() != null) {
        counts[3]++;
        queue.add(new Event(now + 1_000, seq[0]++, Kind.STOPPED, 0, s.instance()));
      } else if (e instanceof Assigned a) {
        waits[counts[0]++] = now - asked.remove(a.request());
      } else if (e instanceof Refused r) {
        counts[1]++;
        asked.remove(r.request());
      } else if (e instanceof Moved) {
        counts[4]++;
      }
    }
    if (!more.isEmpty()) {
      carryOut(more, now, fleet, queue, seq, asked, waits, counts, alive, ports, boots);
    }
  }

  /** The runs of the README's table: with and without consolidation and warm spares. */
  public static List<Params> table(int users, long seed) {
    FleetOptions base = FleetOptions.fromJson(new io.vertx.core.json.JsonObject()).withConsolidation(0);
    return List.of(
        new Params("no consolidation, no spares", users, seed, base),
        new Params("no consolidation, 8 spares", users, seed, base.withWarmSpares(8)),
        new Params("consolidation 60 s, no spares", users, seed, base.withConsolidation(60_000)),
        new Params("consolidation 60 s, 4 spares", users, seed, base.withConsolidation(60_000).withWarmSpares(4)),
        new Params("consolidation 60 s, 8 spares", users, seed, base.withConsolidation(60_000).withWarmSpares(8)));
  }

  /** {@code FleetSimulation [USERS [SEED]]}: the table for a day of USERS users (100,000). */
  public static void main(String[] args) {
    int users = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
    long seed = args.length > 1 ? Long.parseLong(args[1]) : 2018;
    System.out.printf(Locale.ROOT, "A simulated day: %,d users, seed %d, capacity 10, grace 10 s, boot 25-30 s%n%n",
        users, seed);
    System.out.println("| fleet | instance-hours | lower bound | ratio | login wait p99 | max | starts | stops "
        + "| peak fleet | moves |");
    System.out.println("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for (Params p : table(users, seed)) {
      long t0 = System.nanoTime();
      Result r = run(p);
      System.out.printf(Locale.ROOT, "| %s | %,.0f | %,.0f | %.3f | %.1f s | %.1f s | %,d | %,d | %,d | %,d |%n",
          r.name(), r.instanceHours(), r.lowerBound(), r.ratio(), r.p99WaitMillis() / 1000.0,
          r.maxWaitMillis() / 1000.0, r.starts(), r.stops(), r.peakFleet(), r.moves());
      System.err.printf(Locale.ROOT, "  (%s: %,d logins answered, %d refused, peak online %,d, %.1f s)%n", r.name(),
          r.logins(), r.refused(), r.peakOnline(), (System.nanoTime() - t0) / 1e9);
    }
  }
}
