package chat.store;

import java.sql.SQLException;

/**
 * Leases in the store: a named right that one holder has until a deadline. The deadline is
 * kept by the store's own clock, so holders on machines whose clocks differ still agree on
 * when a lease has run out. Statements stand alone: run them in auto-commit.
 */
public final class LeaseRepository {
  /** The lease of the login server that drives the fleet. */
  public static final String FLEET = "fleet";

  private final String now;

  /** @param hsqldb whether the store is HSQLDB (else PostgreSQL), for how its clock is read */
  public LeaseRepository(boolean hsqldb) {
    this.now = hsqldb ? "UNIX_MILLIS()" : "CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 1000 AS BIGINT)";
  }

  /**
   * Takes lease {@code name} for {@code holder}, or renews it, for {@code ttlMillis} from now:
   * true when {@code holder} has it now, false while another holder's has not run out.
   */
  public boolean hold(Sql c, String name, String holder, long ttlMillis) throws SQLException {
    return c.update("UPDATE leases SET holder = ?, expires_at = " + now + " + ? WHERE name = ?"
        + " AND (holder = ? OR expires_at < " + now + ")", holder, ttlMillis, name, holder) == 1;
  }

  /** Gives lease {@code name} up at once if {@code holder} has it, so another may take it without waiting. */
  public void release(Sql c, String name, String holder) throws SQLException {
    c.update("UPDATE leases SET expires_at = 0 WHERE name = ? AND holder = ?", name, holder);
  }

  /** Who holds lease {@code name} now, or null when nobody does. */
  public String holder(Sql c, String name) throws SQLException {
    Row r = c.row("SELECT holder FROM leases WHERE name = ? AND expires_at >= " + now, name);
    return r == null ? null : r.getString(0);
  }
}
