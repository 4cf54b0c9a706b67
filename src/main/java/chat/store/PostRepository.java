package chat.store;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;

import java.util.ArrayList;
import java.util.List;

import chat.protocol.Reply;

/** Posts, and the feed of a user's friends. */
public final class PostRepository {

  public Future<Void> post(SqlClient c, long author, String message) {
    return Db.update(c, "INSERT INTO posts (author, message) VALUES (?, ?)", author, message).mapEmpty();
  }

  /** How many posts the user has. */
  public Future<Integer> count(SqlClient c, long author) {
    return Db.row(c, "SELECT COUNT(*) FROM posts WHERE author = ?", author).map(r -> r.getInteger(0));
  }

  /**
   * Posts of my current friends: friends in list-friend order, each friend's posts oldest
   * first. With {@code max > 0}, only the newest {@code max} of them, still in that order.
   */
  public Future<List<JsonObject>> feed(SqlClient c, long me, int max) {
    String all = "SELECT u.name AS name, p.message AS message, fr.part AS part, fr.fseq AS fseq, p.seq AS pseq"
        + " FROM (" + FriendRepository.FRIENDS_IN_ORDER + ") fr"
        + " JOIN users u ON u.id = fr.friend JOIN posts p ON p.author = fr.friend";
    Future<List<Row>> rows = max > 0
        ? Db.rows(c, "SELECT name, message FROM (" + all + " ORDER BY p.seq DESC LIMIT ?) newest"
            + " ORDER BY part, fseq, pseq", me, me, max)
        : Db.rows(c, "SELECT name, message FROM (" + all + ") friend_posts ORDER BY part, fseq, pseq", me, me);
    return rows.map(list -> {
      List<JsonObject> posts = new ArrayList<>(list.size());
      list.forEach(r -> posts.add(Reply.post(r.getString(0), r.getString(1))));
      return posts;
    });
  }
}
