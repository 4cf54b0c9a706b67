package chat.store;

import org.hsqldb.server.Server;
import org.hsqldb.server.ServerConstants;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.PrintWriter;
import java.lang.reflect.Field;
import java.net.Socket;
import java.nio.file.Path;

/**
 * HSQLDB served over {@code hsql://} by the login role, so application instances in other
 * processes or on other machines share one store. The login role itself opens the same
 * database in-process (a {@code file:} URL of the same path), which HSQLDB shares with the server.
 */
public final class StoreServer {
  private static final Logger LOG = LoggerFactory.getLogger(StoreServer.class);

  /**
   * How often the thread of a new connection looks for the client's first bytes. HSQLDB sleeps
   * this long before it first looks ({@code ServerConnection.handshake}), 100 ms by default,
   * though a client sends its first bytes as soon as it has connected: every new connection
   * waited 100 ms, an application instance's first on the way to its registration among them
   * (docs/PERFORMANCE.md, ninth round). A client that sends nothing costs a wake-up this often
   * until the server's wait for it ends.
   */
  static final long FIRST_BYTES_POLL_MILLIS = 5;
  /** Where HSQLDB keeps that period: a public static field of a class private to its package. */
  private static final String POLL_CLASS = "org.hsqldb.server.ServerConnection";
  private static final String POLL_FIELD = "CLIENT_DATA_POLLING_PERIOD";
  private final Served server = new Served();
  private final GroupCommit.Syncer syncer;
  private volatile boolean started;

  public StoreServer() {
    this(GroupCommit.DISK);
  }

  /** A server whose log is synced by {@code syncer} (tests hold it to see who waits for it). */
  StoreServer(GroupCommit.Syncer syncer) {
    this.syncer = syncer;
  }

  public void start(String host, int port, Path databasePath, int writeDelayMillis) {
    pollFirstBytesEvery(FIRST_BYTES_POLL_MILLIS);
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
    groupCommits();
    LOG.info("store served on hsql://{}:{}/chat from {}", host, port, databasePath);
  }

  /**
   * Sets HSQLDB's period for a new connection's first bytes; a version of HSQLDB without it
   * keeps its own (each new connection is then slower, nothing else).
   */
  private static void pollFirstBytesEvery(long millis) {
    try {
      Field period = Class.forName(POLL_CLASS).getField(POLL_FIELD);
      period.setAccessible(true);
      period.setLong(null, millis);
    } catch (ReflectiveOperationException | RuntimeException e) {
      LOG.warn("store server: new connections wait for HSQLDB's own polling period ({} not set: {})",
          POLL_FIELD, e.toString());
    }
  }

  /**
   * Puts the database's log under {@link GroupCommit}: its file access is replaced, and a
   * checkpoint opens a new log through it. Should that fail, commits go on syncing inside the
   * store's lock, as HSQLDB makes them.
   */
  private void groupCommits() {
    org.hsqldb.Database database = server.database();
    org.hsqldb.lib.FileAccess files = database.logger.getFileAccess();
    database.logger.fileAccess = new GroupCommit(files, syncer);
    org.hsqldb.Session session = database.getSessionManager().newSysSession();
    try {
      org.hsqldb.result.Result checkpoint = session.executeDirectStatement("CHECKPOINT");
      if (checkpoint.isError()) {
        database.logger.fileAccess = files;
        LOG.warn("store server: commits sync inside the store's lock (checkpoint failed: {})",
            checkpoint.getMainString());
      }
    } finally {
      session.close();
    }
  }

  /** Shuts the database down cleanly, so the next start finds every committed change; nothing when never started. */
  public void stop() {
    if (!started) {
      return;
    }
    server.shutdownWithCatalogs(org.hsqldb.Database.CLOSEMODE_NORMAL);
  }

  /** HSQLDB's server, its connections' sockets those of {@link GroupCommit}. */
  private static final class Served extends Server {
    @Override
    public void handleConnection(Socket socket) {
      super.handleConnection(GroupCommit.served(socket));
    }

    /** The database it serves. */
    org.hsqldb.Database database() {
      return org.hsqldb.DatabaseManager.getDatabase(dbID[0]);
    }
  }
}
