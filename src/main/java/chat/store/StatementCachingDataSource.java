package chat.store;

import javax.sql.DataSource;
import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.logging.Logger;

/**
 * The connections the JDBC client pools (it keeps each open until the pool closes): straight
 * from the driver, each wrapped to keep its prepared statements ({@link StatementCache}).
 */
final class StatementCachingDataSource implements DataSource {
  private final String url;
  private final String user;
  private final String password;
  private final int max;
  private int loginTimeout;

  StatementCachingDataSource(String url, String user, String password, int max) {
    this.url = url;
    this.user = user;
    this.password = password;
    this.max = max;
  }

  @Override
  public Connection getConnection() throws SQLException {
    return StatementCache.wrap(DriverManager.getConnection(url, user, password), max);
  }

  @Override
  public Connection getConnection(String otherUser, String otherPassword) throws SQLException {
    return StatementCache.wrap(DriverManager.getConnection(url, otherUser, otherPassword), max);
  }

  @Override
  public PrintWriter getLogWriter() {
    return null;
  }

  @Override
  public void setLogWriter(PrintWriter out) {
    // the driver logs through the service's logging
  }

  @Override
  public void setLoginTimeout(int seconds) {
    loginTimeout = seconds;
  }

  @Override
  public int getLoginTimeout() {
    return loginTimeout;
  }

  @Override
  public Logger getParentLogger() throws SQLFeatureNotSupportedException {
    throw new SQLFeatureNotSupportedException();
  }

  @Override
  public <T> T unwrap(Class<T> iface) throws SQLException {
    throw new SQLException("not a wrapper");
  }

  @Override
  public boolean isWrapperFor(Class<?> iface) {
    return false;
  }
}
