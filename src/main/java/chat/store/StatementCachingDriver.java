package chat.store;

import java.sql.Connection;
import java.sql.Driver;
import java.sql.DriverManager;
import java.sql.DriverPropertyInfo;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.Properties;
import java.util.logging.Logger;

/**
 * The driver the pool opens HSQLDB connections with: the real driver's connections, each
 * wrapped to keep its prepared statements ({@link StatementCache}), over sockets that send each
 * message in one write ({@link StoreSockets}). Not registered with {@link DriverManager}; the
 * pool is given this class.
 */
public final class StatementCachingDriver implements Driver {
  static {
    StoreSockets.useForClients();
  }

  @Override
  public Connection connect(String url, Properties info) throws SQLException {
    return acceptsURL(url) ? StatementCache.wrap(DriverManager.getConnection(url, info), Db.STATEMENTS_KEPT) : null;
  }

  @Override
  public boolean acceptsURL(String url) {
    return url != null && url.startsWith("jdbc:hsqldb:");
  }

  @Override
  public DriverPropertyInfo[] getPropertyInfo(String url, Properties info) throws SQLException {
    return DriverManager.getDriver(url).getPropertyInfo(url, info);
  }

  @Override
  public int getMajorVersion() {
    return 1;
  }

  @Override
  public int getMinorVersion() {
    return 0;
  }

  @Override
  public boolean jdbcCompliant() {
    return false;
  }

  @Override
  public Logger getParentLogger() throws SQLFeatureNotSupportedException {
    throw new SQLFeatureNotSupportedException();
  }
}
