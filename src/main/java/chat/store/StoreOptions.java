package chat.store;

/** Where the SQL store is and how many connections to keep to it. */
public record StoreOptions(String jdbcUrl, String user, String password, int poolSize) { }
