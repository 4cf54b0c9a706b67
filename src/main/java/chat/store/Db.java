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

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The one seam to the SQL store: a pool of JDBC connections (Agroal) and units of work run on
 * them. A unit of work is plain blocking JDBC through {@link Sql}, run whole on one worker
 * thread and in one transaction: a command costs one hop off the event loop and back, however
 * many statements it runs, and nothing here blocks an event loop.
 */
public final class Db implements MeterBinder {
  /** Prepared statements kept per HSQLDB connection (the repositories have fewer distinct ones). */
  static final int STATEMENTS_KEPT = 128;

  private final Vertx vertx;
  private final StoreOptions options;
  /** Connections in manual-commit mode, for work that writes. */
  private final AgroalDataSource pool;
  /** Connections in auto-commit mode, for work whose statements each stand alone. */
  private final AgroalDataSource autoCommitPool;

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
   * dropped), the work is tried again on a live connection.
   */
  public <T> Future<T> tx(Work<T> work) {
    return vertx.executeBlocking(() -> retried(work, false), false);
  }

  /**
   * Runs {@code work} on a worker thread, each statement committed by itself: no commit to ask
   * for, one round trip less. For work that only reads, or whose every write stands alone (a
   * post with its quota check in the insert, the move of a session's last use). The store's
   * isolation level is read committed, under which each statement of a transaction sees what
   * was committed when that statement began: reads see the same here.
   */
  public <T> Future<T> autoCommit(Work<T> work) {
    return vertx.executeBlocking(() -> retried(work, true), false);
  }

  /**
   * A store that went away under the pool leaves all its connections dead: they are dropped
   * (Agroal does that in the background), and the work is tried again until it gets a live
   * one. A dead connection fails at its first statement, before anything is done, so at most
   * one more try than the pool has connections.
   */
  private <T> T retried(Work<T> work, boolean autoCommitted) throws SQLException {
    AgroalDataSource used = autoCommitted ? autoCommitPool : pool;
    for (int attempt = 0; ; attempt++) {
      try {
        return once(work, used, autoCommitted);
      } catch (SQLException | RuntimeException e) {
        if (!isConnectionFailure(e) || attempt > options.poolSize()) {
          throw e;
        }
        if (attempt == 0) {
          used.flush(AgroalDataSource.FlushMode.ALL);
        }
      }
    }
  }

  private static <T> T once(Work<T> work, AgroalDataSource used, boolean autoCommitted) throws SQLException {
    try (Connection c = used.getConnection()) {
      if (autoCommitted) {
        return work.run(new Sql(c));
      }
      try {
        T result = work.run(new Sql(c));
        c.commit();
        return result;
      } catch (SQLException | RuntimeException e) {
        rollback(c, e);
        throw e;
      }
    }
  }

  private static void rollback(Connection c, Exception cause) {
    try {
      c.rollback();
    } catch (SQLException | RuntimeException e) {
      cause.addSuppressed(e);
    }
  }

  /** Succeeds when the store answers a statement now (for readiness). */
  public Future<Void> ping() {
    return autoCommit(sql -> {
      sql.rows("VALUES (1)");
      return null;
    });
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

  /** Whether a failure means the connection itself is gone (SQLSTATE class 08, or a server shutdown). */
  public static boolean isConnectionFailure(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof java.sql.SQLRecoverableException || t instanceof java.sql.SQLNonTransientConnectionException
          || t instanceof java.sql.SQLTransientConnectionException) {
        return true;
      }
      if (t instanceof SQLException sql && sql.getSQLState() != null
          && (sql.getSQLState().startsWith("08") || sql.getSQLState().startsWith("57P"))) {
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
    return vertx.executeBlocking(() -> {
      pool.close();
      autoCommitPool.close();
      return null;
    });
  }
}
