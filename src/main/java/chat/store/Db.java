package chat.store;

import io.agroal.api.AgroalDataSource;
import io.agroal.api.AgroalDataSourceMetrics;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.agroal.api.configuration.supplier.AgroalDataSourceConfigurationSupplier;
import io.agroal.api.security.NamePrincipal;
import io.agroal.api.security.SimplePassword;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The one seam to the SQL store: a pool of JDBC connections (Agroal) and units of work run on
 * them. A unit of work is plain blocking JDBC through {@link Sql}, run whole on one worker
 * thread and in one transaction: a command costs one hop off the event loop and back, however
 * many statements it runs, and nothing here blocks an event loop.
 */
public final class Db implements MeterBinder {
  /** Prepared statements kept per HSQLDB connection (the repositories have fewer distinct ones). */
  static final int STATEMENTS_KEPT = 128;
  private static final Logger LOG = LoggerFactory.getLogger(Db.class);
  /** Pauses between attempts while the store is unreachable: from this, doubling. */
  private static final long FIRST_PAUSE_MILLIS = 50;
  private static final long MAX_PAUSE_MILLIS = 250;
  private static final long OUTAGE_WARNING_NANOS = 5_000_000_000L;
  /** How long commit marks are kept, and how often older ones are deleted. */
  static final long MARKS_KEPT_MILLIS = 3_600_000;
  private static final long MARKS_SWEEP_MILLIS = 600_000;

  private final Vertx vertx;
  private final StoreOptions options;
  /** Connections in manual-commit mode, for work that writes. */
  private final AgroalDataSource pool;
  /** Connections in auto-commit mode, for work whose statements each stand alone. */
  private final AgroalDataSource autoCommitPool;
  /** The periodic deletion of old commit marks, or -1. */
  private final long marksTimer;
  private final AtomicLong lastOutageWarning = new AtomicLong(System.nanoTime() - OUTAGE_WARNING_NANOS);

  /** Work done on one connection, in one transaction. */
  @FunctionalInterface
  public interface Work<T> {
    T run(Sql sql) throws SQLException;
  }

  private Db(Vertx vertx, StoreOptions options, AgroalDataSource pool, AgroalDataSource autoCommitPool) {
    this.vertx = vertx;
    this.options = options;
    this.pool = pool;
    this.autoCommitPool = autoCommitPool;
    this.marksTimer = options.marksCommits() ? vertx.setPeriodic(MARKS_SWEEP_MILLIS, id -> forgetOldMarks()) : -1;
  }

  /**
   * Pools over the store: {@code store.poolSize} connections for transactions, as many for work
   * in auto-commit mode; connections are opened when first needed.
   */
  public static Db open(Vertx vertx, StoreOptions options) {
    try {
      return new Db(vertx, options, AgroalDataSource.from(configuration(options, false)),
          AgroalDataSource.from(configuration(options, true)));
    } catch (SQLException e) {
      throw new IllegalStateException("cannot set up the store's connection pool: " + e.getMessage(), e);
    }
  }

  private static AgroalDataSourceConfigurationSupplier configuration(StoreOptions options, boolean autoCommit) {
    return new AgroalDataSourceConfigurationSupplier()
        // the figures of the pools' gauges (see bindTo)
        .metricsEnabled(true)
        .connectionPoolConfiguration(pool -> pool
            .maxSize(options.poolSize())
            .acquisitionTimeout(Duration.ofSeconds(30))
            // a connection whose statement failed because the connection itself is gone is
            // dropped, not lent again
            .exceptionSorter(Db::isConnectionFailure)
            .connectionFactoryConfiguration(factory -> {
              factory.jdbcUrl(options.jdbcUrl())
                  .principal(new NamePrincipal(options.user()))
                  .credential(new SimplePassword(options.password()))
                  .autoCommit(autoCommit)
                  // Sql closes every statement and result it opens
                  .trackJdbcResources(false);
              if (options.isHsqldb()) {
                // HSQLDB compiles a statement again at every prepare: its connections keep them
                factory.connectionProviderClass(StatementCachingDriver.class);
              }
              // PostgreSQL's driver keeps server-side prepared statements per connection by itself
              return factory;
            }));
  }

  /** Whether the store is HSQLDB (in-process, file or served over hsql://), as its URL says. */
  public boolean isHsqldb() {
    return options.isHsqldb();
  }

  /**
   * Runs {@code work} on a worker thread in one transaction: committed when it returns, rolled
   * back when it throws. When the store went away under the pool (restarted, or the network
   * dropped, or its standby is being promoted), the work is tried again on a live connection
   * for up to {@code store.retryMillis}; it is committed at most once ({@link #retried}).
   */
  public <T> Future<T> tx(Work<T> work) {
    return vertx.executeBlocking(() -> retried(work, false), false);
  }

  /**
   * Runs {@code work} on a worker thread, each statement committed by itself: no commit to ask
   * for, one round trip less. For work that only reads, or whose every write stands alone (a
   * post with its quota check in the insert, the move of a session's last use). The store's
   * isolation level is read committed, under which each statement of a transaction sees what
   * was committed when that statement began: reads see the same here. On a store that marks
   * commits, work that writes is one transaction from its first write on, so that its writes
   * commit with their mark.
   */
  public <T> Future<T> autoCommit(Work<T> work) {
    return vertx.executeBlocking(() -> retried(work, true), false);
  }

  /**
   * A store that went away under the pool leaves all its connections dead: they are dropped
   * (Agroal does that in the background, and the first failure flushes the idle ones), and the
   * work is tried again, with pauses, until it gets a live one or {@code store.retryMillis}
   * have passed. A connection lost before the commit was sent leaves nothing done (the server
   * rolls back what has no commit), so the work is simply done again.
   *
   * <p>A connection lost once the commit was sent leaves it in doubt: it may have gone through
   * (and, on a replicated store, reached the standby that is now the primary) with only its
   * answer lost. Doing the work again could apply it twice (a second post), and finding its
   * rows again would answer an error for a command that succeeded ("already used"). So, on a
   * store that {@linkplain StoreOptions#marksCommits marks commits}, a unit of work that writes
   * inserts a row with a random id of its own (its commit mark) in its transaction, and the
   * next attempt begins by inserting the same mark: a duplicate key means the earlier commit
   * went through, and its answer is returned without doing anything again; an earlier commit
   * still under way holds the key until it ends, so the insert waits for it. On HSQLDB, whose
   * server is the login role itself, a commit in doubt is done again, as before.
   */
  private <T> T retried(Work<T> work, boolean autoCommitted) throws SQLException {
    AgroalDataSource used = autoCommitted ? autoCommitPool : pool;
    Unit<T> unit = new Unit<>(work, autoCommitted);
    long deadline = System.nanoTime() + options.retryMillis() * 1_000_000L;
    long pause = FIRST_PAUSE_MILLIS;
    for (int attempt = 0; ; attempt++) {
      try {
        return once(unit, used);
      } catch (SQLException | RuntimeException e) {
        if (!isConnectionFailure(e)) {
          throw e;
        }
        if (System.nanoTime() - deadline >= 0) {
          if (unit.inDoubt) {
            throw new SQLException("the store did not come back within " + options.retryMillis()
                + " ms; whether the last commit went through is unknown", "08006", e);
          }
          throw e;
        }
        noteOutage(e);
        if (attempt == 0) {
          used.flush(AgroalDataSource.FlushMode.ALL);
        } else {
          pause(pause);
          pause = Math.min(pause * 2, MAX_PAUSE_MILLIS);
        }
      }
    }
  }

  /** One attempt of a unit of work, on one connection. */
  private <T> T once(Unit<T> unit, AgroalDataSource used) throws SQLException {
    boolean marking = options.marksCommits();
    try (Connection c = used.getConnection()) {
      Sql sql = new Sql(c, unit.autoCommitted && marking);
      boolean marked = false;
      try {
        if (unit.inDoubt && marking) {
          if (!mark(sql, unit.mark())) {
            rollback(c, null);
            LOG.info("a commit whose answer was lost with its connection had gone through: not done again");
            return unit.lastAnswer;
          }
          marked = true;
          LOG.info("a commit whose answer was lost with its connection had not gone through: done again");
        }
        T result = unit.work.run(sql);
        if (unit.autoCommitted && !(marking && sql.wrote())) {
          return result;
        }
        if (sql.wrote()) {
          // from here on, a lost connection leaves the commit in doubt
          unit.sent(result);
          if (marking && !marked) {
            mark(sql, unit.mark());
          }
        }
        c.commit();
        return result;
      } catch (SQLException | RuntimeException e) {
        if (!unit.autoCommitted || marking && sql.wrote()) {
          rollback(c, e);
        }
        throw e;
      }
    }
  }

  /** Inserts the unit of work's commit mark; false when it is there already (its commit went through). */
  private static boolean mark(Sql sql, String id) throws SQLException {
    try {
      sql.update("INSERT INTO commit_marks (id, made) VALUES (?, ?)", id, System.currentTimeMillis());
      return true;
    } catch (SQLException e) {
      if (isConstraintViolation(e)) {
        return false;
      }
      throw e;
    }
  }

  /** A unit of work across its attempts. */
  private static final class Unit<T> {
    final Work<T> work;
    final boolean autoCommitted;
    /** Whether an attempt's commit was sent (or about to be) and its connection lost. */
    boolean inDoubt;
    /** The answer of the attempt whose commit is in doubt. */
    T lastAnswer;
    private String mark;

    Unit(Work<T> work, boolean autoCommitted) {
      this.work = work;
      this.autoCommitted = autoCommitted;
    }

    void sent(T answer) {
      inDoubt = true;
      lastAnswer = answer;
    }

    String mark() {
      if (mark == null) {
        mark = UUID.randomUUID().toString();
      }
      return mark;
    }
  }

  private static void pause(long millis) throws SQLException {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new SQLException("interrupted while waiting for the store", "08006", e);
    }
  }

  /** One warning per outage, not one per unit of work. */
  private void noteOutage(Throwable e) {
    long now = System.nanoTime();
    long last = lastOutageWarning.get();
    if (now - last >= OUTAGE_WARNING_NANOS && lastOutageWarning.compareAndSet(last, now)) {
      LOG.warn("the store is unreachable ({}): trying again for up to {} ms", e.toString(), options.retryMillis());
    }
  }

  /**
   * Commit marks only matter while the unit of work that made one may still try again (at most
   * {@code store.retryMillis}): those older than {@link #MARKS_KEPT_MILLIS} are deleted now and then.
   */
  private void forgetOldMarks() {
    vertx.executeBlocking(() -> {
      try (Connection c = autoCommitPool.getConnection()) {
        return new Sql(c).update("DELETE FROM commit_marks WHERE made < ?", System.currentTimeMillis() - MARKS_KEPT_MILLIS);
      }
    }, false).onFailure(e -> LOG.debug("old commit marks not deleted this time: {}", e.toString()));
  }

  private static void rollback(Connection c, Exception cause) {
    try {
      c.rollback();
    } catch (SQLException | RuntimeException e) {
      if (cause != null) {
        cause.addSuppressed(e);
      }
    }
  }

  /**
   * Succeeds when the store answers a statement now (for readiness): one attempt, not tried
   * again while the store is away as units of work are.
   */
  public Future<Void> ping() {
    return vertx.executeBlocking(() -> {
      try (Connection c = autoCommitPool.getConnection()) {
        new Sql(c).rows("VALUES (1)");
        return null;
      }
    }, false);
  }

  /**
   * The pools' figures, {@code pool} {@code tx} or {@code autocommit}: connections in use, idle
   * and the most ever in use; commands waiting for one; connections lent, opened and closed;
   * time spent waiting.
   */
  @Override
  public void bindTo(MeterRegistry registry) {
    bind(registry, "tx", pool);
    bind(registry, "autocommit", autoCommitPool);
  }

  private static void bind(MeterRegistry registry, String name, AgroalDataSource source) {
    AgroalDataSourceMetrics m = source.getMetrics();
    Gauge.builder("chat.store.pool.connections", m, AgroalDataSourceMetrics::activeCount)
        .tags("pool", name, "state", "active").register(registry);
    Gauge.builder("chat.store.pool.connections", m, AgroalDataSourceMetrics::availableCount)
        .tags("pool", name, "state", "idle").register(registry);
    Gauge.builder("chat.store.pool.connections.max.used", m, AgroalDataSourceMetrics::maxUsedCount)
        .tag("pool", name).register(registry);
    Gauge.builder("chat.store.pool.awaiting", m, AgroalDataSourceMetrics::awaitingCount)
        .tag("pool", name).register(registry);
    FunctionCounter.builder("chat.store.pool.acquired", m, AgroalDataSourceMetrics::acquireCount)
        .tag("pool", name).register(registry);
    FunctionCounter.builder("chat.store.pool.opened", m, AgroalDataSourceMetrics::creationCount)
        .tag("pool", name).register(registry);
    FunctionCounter.builder("chat.store.pool.destroyed", m, AgroalDataSourceMetrics::destroyCount)
        .tag("pool", name).register(registry);
    FunctionTimer.builder("chat.store.pool.blocking", m, AgroalDataSourceMetrics::acquireCount,
        x -> x.blockingTimeTotal().toNanos(), TimeUnit.NANOSECONDS).tag("pool", name).register(registry);
  }

  /** The first column of every row, as text. */
  public static List<String> strings(List<Row> rows) {
    List<String> out = new ArrayList<>(rows.size());
    rows.forEach(r -> out.add(r.getString(0)));
    return out;
  }

  /**
   * Whether a failure means the connection itself is gone (SQLSTATE class 08, or a server
   * shutdown), or that its server is no longer the primary (a read-only transaction, 25006).
   */
  public static boolean isConnectionFailure(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof java.sql.SQLRecoverableException || t instanceof java.sql.SQLNonTransientConnectionException
          || t instanceof java.sql.SQLTransientConnectionException) {
        return true;
      }
      if (t instanceof SQLException sql && sql.getSQLState() != null
          && (sql.getSQLState().startsWith("08") || sql.getSQLState().startsWith("57P")
          || sql.getSQLState().equals("25006"))) {
        return true;
      }
    }
    return false;
  }

  /** Whether a failure is an integrity constraint violation (SQLSTATE class 23), on any database. */
  public static boolean isConstraintViolation(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SQLException sql && sql.getSQLState() != null && sql.getSQLState().startsWith("23")) {
        return true;
      }
    }
    return false;
  }

  public Future<Void> close() {
    if (marksTimer >= 0) {
      vertx.cancelTimer(marksTimer);
    }
    return vertx.executeBlocking(() -> {
      pool.close();
      autoCommitPool.close();
      return null;
    });
  }
}
