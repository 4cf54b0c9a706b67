package chat.store;

import java.sql.SQLException;
import java.util.List;

/** Invitations and friendships. */
public final class FriendRepository {
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

  /**
   * list-friend: the user holding {@code token} with its friends' names, in one statement that
   * reads one range of one index: each friendship as {@code friend_list} lists it to me, with the
   * friend's name. Ordered as the reference answers rely on: first those whose invitation I
   * accepted (part 0), in acceptance order; then those who accepted mine (part 1), likewise.
   */
  public UserRepository.Mine friendNames(Sql c, UserRepository users, String token) throws SQLException {
    return users.mine(c, token, "SELECT f.name AS name, f.part AS part, f.seq AS fseq FROM friend_list f"
        + " WHERE f.me = " + UserRepository.MY_ID, "r.part, r.fseq", UserRepository.MY_HASH);
  }
}
