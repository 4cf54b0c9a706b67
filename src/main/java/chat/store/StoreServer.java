package chat.store;

import org.hsqldb.server.Server;
import org.hsqldb.server.ServerConstants;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.PrintWriter;
import java.nio.file.Path;

/**
 * HSQLDB served over {@code hsql://} by the login role, so application instances in other
 * processes or on other machines share one store. The login role itself opens the same
 * database in-process (a {@code file:} URL of the same path), which HSQLDB shares with the server.
 */
public final class StoreServer {
  private static final Logger LOG = LoggerFactory.getLogger(StoreServer.class);
  private final Server server = new Server();
  private volatile boolean started;

  public void start(String host, int port, Path databasePath, int writeDelayMillis) {
    server.setLogWriter(null);
    server.setErrWriter(new PrintWriter(System.err, true));
    server.setSilent(true);
    server.setNoSystemExit(true);
    server.setAddress(host);
    server.setPort(port);
    server.setDatabaseName(0, "chat");
    server.setDatabasePath(0, "file:" + databasePath + ";" + chat.config.ChatConfig.databaseProperties(writeDelayMillis));
    started = true;
    server.start();
    if (server.getState() != ServerConstants.SERVER_STATE_ONLINE) {
      throw new IllegalStateException("store server did not start on " + host + ":" + port
          + (server.getServerError() != null ? ": " + server.getServerError() : ""));
    }
    LOG.info("store served on hsql://{}:{}/chat from {}", host, port, databasePath);
  }

  /** Shuts the database down cleanly, so the next start finds every committed change; nothing when never started. */
  public void stop() {
    if (!started) {
      return;
    }
    server.shutdownWithCatalogs(org.hsqldb.Database.CLOSEMODE_NORMAL);
  }
}
