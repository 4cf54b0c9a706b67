package chat.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * The statements of one unit of work, on the one connection it holds (see {@link Db#tx}). Every
 * call is a blocking JDBC call: a unit of work runs on a worker thread, never an event loop.
 */
public final class Sql {
  private final Connection connection;
  /**
   * On a connection in auto-commit mode: whether the first statement that writes opens a
   * transaction instead, so that what it writes commits with the unit of work's commit mark
   * ({@link Db}).
   */
  private final boolean transactionOnWrite;
  private boolean wrote;

  Sql(Connection connection) {
    this(connection, false);
  }

  Sql(Connection connection, boolean transactionOnWrite) {
    this.connection = connection;
    this.transactionOnWrite = transactionOnWrite;
  }

  /** Whether a statement that may write ({@link #update}) has run. */
  boolean wrote() {
    return wrote;
  }

  public List<Row> rows(String sql, Object... params) throws SQLException {
    try (PreparedStatement s = prepare(sql, params); ResultSet rs = s.executeQuery()) {
      int columns = rs.getMetaData().getColumnCount();
      List<Row> rows = new ArrayList<>();
      while (rs.next()) {
        Object[] values = new Object[columns];
        for (int i = 0; i < columns; i++) {
          values[i] = rs.getObject(i + 1);
        }
        rows.add(new Row(values));
      }
      return rows;
    }
  }

  /** The first row, or null. */
  public Row row(String sql, Object... params) throws SQLException {
    List<Row> rows = rows(sql, params);
    return rows.isEmpty() ? null : rows.get(0);
  }

  public boolean exists(String sql, Object... params) throws SQLException {
    return !rows(sql, params).isEmpty();
  }

  /** The first column of every row, as text. */
  public List<String> strings(String sql, Object... params) throws SQLException {
    return Db.strings(rows(sql, params));
  }

  /** Runs a statement that returns no rows (DML or DDL); how many rows it changed. */
  public int update(String sql, Object... params) throws SQLException {
    if (!wrote && transactionOnWrite) {
      // the driver sends the transaction's start with the statement: no round trip of its own
      connection.setAutoCommit(false);
    }
    wrote = true;
    try (PreparedStatement s = prepare(sql, params)) {
      return s.executeUpdate();
    }
  }

  private PreparedStatement prepare(String sql, Object... params) throws SQLException {
    PreparedStatement s = connection.prepareStatement(sql);
    try {
      for (int i = 0; i < params.length; i++) {
        s.setObject(i + 1, params[i]);
      }
      return s;
    } catch (SQLException | RuntimeException e) {
      s.close();
      throw e;
    }
  }
}
