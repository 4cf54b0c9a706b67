package chat.store;

/**
 * Where the SQL store is, how many connections to keep to it, and for how long a unit of work
 * is tried again while the store is unreachable (a restart, or a standby being promoted).
 */
public record StoreOptions(String jdbcUrl, String user, String password, int poolSize, long retryMillis) {
  /** How long a unit of work waits for the store to come back, by default. */
  public static final long DEFAULT_RETRY_MILLIS = 15_000;

  public StoreOptions(String jdbcUrl, String user, String password, int poolSize) {
    this(jdbcUrl, user, password, poolSize, DEFAULT_RETRY_MILLIS);
  }

  /** Whether the store is HSQLDB (in-process, file or served over hsql://), as its URL says. */
  public boolean isHsqldb() {
    return jdbcUrl.startsWith("jdbc:hsqldb:");
  }

  /**
   * Whether a commit whose answer was lost with its connection is looked up before its work is
   * done again ({@link Db}): on every store but HSQLDB, whose server is the login role itself
   * (when it dies, the service restarts with it).
   */
  public boolean marksCommits() {
    return !isHsqldb();
  }
}
