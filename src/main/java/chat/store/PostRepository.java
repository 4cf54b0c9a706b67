package chat.store;

import io.vertx.core.json.JsonObject;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

import chat.protocol.Reply;

/** Posts, and the feed of a user's friends. */
public final class PostRepository {

  /**
   * Adds the post unless the author already has {@code max} posts (0: no limit); whether it was
   * added. One statement: each user has a row counting its posts ({@code post_counts}, one per
   * user, made with the user and removed with it; a trigger of the insert adds one), so the
   * quota is a condition on one row, not a count of them all. Two posts of one author at the
   * same moment may both pass a quota that has room for one.
   */
  public boolean post(Sql c, long author, String message, int max) throws SQLException {
    return max > 0
        ? c.update("INSERT INTO posts (author, message) SELECT author, CAST(? AS VARCHAR(65536)) FROM post_counts"
            + " WHERE author = ? AND posts < ?", message, author, max) > 0
        : c.update("INSERT INTO posts (author, message) VALUES (?, ?)", author, message) > 0;
  }

  /**
   * As {@link #post}, for an author found by its token earlier: added only while the token
   * ({@code tokenHash}) still holds the author's valid session at {@code now}, which the same
   * statement checks ({@link UserRepository#VALID_SESSION}). False when the session ended or the
   * quota is full; {@link UserRepository#byToken} tells which.
   */
  public boolean postHeld(Sql c, long author, String tokenHash, long now, String message, int max) throws SQLException {
    return max > 0
        ? c.update("INSERT INTO posts (author, message) SELECT pc.author, CAST(? AS VARCHAR(65536)) FROM post_counts pc"
            + " JOIN users u ON u.id = pc.author WHERE pc.author = ? AND pc.posts < ? AND " + UserRepository.VALID_SESSION,
            message, author, max, tokenHash, now, now) > 0
        : c.update("INSERT INTO posts (author, message) SELECT u.id, CAST(? AS VARCHAR(65536)) FROM users u"
            + " WHERE u.id = ? AND " + UserRepository.VALID_SESSION, message, author, tokenHash, now, now) > 0;
  }

  /** How many posts the user has. */
  public int count(Sql c, long author) throws SQLException {
    Row r = c.row("SELECT posts FROM post_counts WHERE author = ?", author);
    return r == null ? 0 : r.getInteger(0);
  }

  /**
   * receive-post: the user holding {@code token} with the posts of its current friends, in one
   * statement: friends in list-friend order, each friend's posts oldest first. With
   * {@code max > 0}, only the newest {@code max} of them, still in that order.
   */
  public UserRepository.Mine feed(Sql c, UserRepository users, String token, int max) throws SQLException {
    Object hash = UserRepository.MY_HASH;
    String all = "SELECT f.name AS name, p.message AS message, f.part AS part, f.seq AS fseq, p.seq AS pseq"
        + " FROM friend_list f JOIN posts p ON p.author = f.friend WHERE f.me = " + UserRepository.MY_ID;
    String order = "r.part, r.fseq, r.pseq";
    return max > 0
        ? users.mine(c, token, "SELECT * FROM (" + all + " ORDER BY p.seq DESC LIMIT ?) newest", order, hash, max)
        : users.mine(c, token, all, order, hash);
  }

  /** The posts of a feed's rows, as the reply lists them. */
  public static List<JsonObject> posts(List<Row> rows) {
    List<JsonObject> posts = new ArrayList<>(rows.size());
    rows.forEach(r -> posts.add(Reply.post(r.getString(0), r.getString(1))));
    return posts;
  }
}
