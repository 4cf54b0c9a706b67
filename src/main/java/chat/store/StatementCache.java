package chat.store;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * A JDBC connection that keeps its prepared statements, by SQL text, for the next use.
 *
 * <p>{@link Sql} prepares a statement for every execution and closes it afterwards. Over
 * {@code hsql://} that would be two extra round trips, and HSQLDB frees a compiled statement
 * when its last user closes it, so it would compile the same SQL again each time (it has no
 * setting to keep them). Here {@code prepareStatement(sql)} returns the connection's earlier statement for the
 * same text when it is free, and {@code close()} of such a statement only clears its
 * parameters. At most {@code max} statements are kept per connection, least recently used
 * first out; they are closed with the connection. A statement on which any call failed is
 * closed for real at its {@code close()} and never handed out again, so nothing of a broken
 * connection is reused (the pool drops a connection whose statement failed for want of it).
 *
 * <p>Like a JDBC connection it is for one thread at a time: the pool lends it to one unit of
 * work at a time.
 */
final class StatementCache implements InvocationHandler {
  /** Statements actually prepared on the wrapped connections, for tests and diagnostics. */
  static final LongAdder PREPARED = new LongAdder();

  private final Connection connection;
  private final Map<String, Cached> statements;
  private Connection self;

  private StatementCache(Connection connection, int max) {
    this.connection = connection;
    this.statements = new LinkedHashMap<>(16, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<String, Cached> eldest) {
        if (size() <= max) {
          return false;
        }
        eldest.getValue().evicted = true;
        if (!eldest.getValue().inUse) {
          eldest.getValue().closeQuietly();
        }
        return true;
      }
    };
  }

  /** {@code connection}, keeping up to {@code max} prepared statements for reuse. */
  static Connection wrap(Connection connection, int max) {
    StatementCache cache = new StatementCache(connection, max);
    cache.self = (Connection) Proxy.newProxyInstance(StatementCache.class.getClassLoader(),
        new Class<?>[] {Connection.class}, cache);
    return cache.self;
  }

  @Override
  public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
    String name = method.getName();
    if (name.equals("prepareStatement") && args.length == 1) {
      return prepare((String) args[0]);
    }
    if (name.equals("close")) {
      List<Cached> all = new ArrayList<>(statements.values());
      statements.clear();
      all.forEach(Cached::closeQuietly);
    }
    if (name.equals("equals")) {
      return proxy == args[0];
    }
    if (name.equals("hashCode")) {
      return System.identityHashCode(proxy);
    }
    return call(connection, method, args);
  }

  private PreparedStatement prepare(String sql) throws SQLException {
    Cached cached = statements.get(sql);
    if (cached != null && !cached.inUse) {
      cached.inUse = true;
      return cached.proxy;
    }
    PreparedStatement statement = connection.prepareStatement(sql);
    PREPARED.increment();
    if (cached != null) {
      return statement; // the same text twice at once: the second one is not kept
    }
    cached = new Cached(sql, statement);
    cached.inUse = true;
    statements.put(sql, cached);
    return cached.proxy;
  }

  private static Object call(Object target, Method method, Object[] args) throws Throwable {
    try {
      return method.invoke(target, args);
    } catch (InvocationTargetException e) {
      throw e.getCause();
    }
  }

  /** One kept statement, and the proxy its users see of it. */
  private final class Cached implements InvocationHandler {
    final String sql;
    final PreparedStatement statement;
    final PreparedStatement proxy;
    boolean inUse;
    boolean evicted;
    boolean failed;

    Cached(String sql, PreparedStatement statement) {
      this.sql = sql;
      this.statement = statement;
      this.proxy = (PreparedStatement) Proxy.newProxyInstance(StatementCache.class.getClassLoader(),
          new Class<?>[] {PreparedStatement.class}, this);
    }

    @Override
    public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
      switch (method.getName()) {
        case "close":
          release();
          return null;
        case "isClosed":
          return !inUse || statement.isClosed();
        case "getConnection":
          return self;
        case "equals":
          return proxy == args[0];
        case "hashCode":
          return System.identityHashCode(proxy);
        default:
          try {
            return call(statement, method, args);
          } catch (Throwable e) {
            failed = true;
            throw e;
          }
      }
    }

    private void release() throws SQLException {
      if (!inUse) {
        return;
      }
      inUse = false;
      if (!failed && !evicted) {
        try {
          statement.clearParameters();
          return;
        } catch (SQLException | RuntimeException e) {
          failed = true;
        }
      }
      statements.remove(sql, this);
      statement.close();
    }

    void closeQuietly() {
      try {
        statement.close();
      } catch (SQLException | RuntimeException ignored) {
        // the connection is going, or already gone
      }
    }
  }
}
