package chat.store;

/** Where the SQL store is and how many connections to keep to it. */
public record StoreOptions(String jdbcUrl, String user, String password, int poolSize) {

  /** Whether the store is HSQLDB (in-process, file or served over hsql://), as its URL says. */
  public boolean isHsqldb() {
    return jdbcUrl.startsWith("jdbc:hsqldb:");
  }
}
