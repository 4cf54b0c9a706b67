package chat.store;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.SqlClient;

import java.util.ArrayList;
import java.util.List;

import chat.protocol.Reply;

/** Posts, and the feed of a user's friends. */
public final class PostRepository {

  public Future<Void> post(SqlClient c, long author, String message) {
    return Db.update(c, "INSERT INTO posts (author, message) VALUES (?, ?)", author, message).mapEmpty();
  }

  /** Posts of my current friends: friends in list-friend order, each friend's posts oldest first. */
  public Future<List<JsonObject>> feed(SqlClient c, long me) {
    return Db.rows(c, "SELECT u.name, p.message FROM (" + FriendRepository.FRIENDS_IN_ORDER + ") fr"
            + " JOIN users u ON u.id = fr.friend JOIN posts p ON p.author = fr.friend"
            + " ORDER BY fr.part, fr.fseq, p.seq", me, me)
        .map(rows -> {
          List<JsonObject> posts = new ArrayList<>(rows.size());
          rows.forEach(r -> posts.add(Reply.post(r.getString(0), r.getString(1))));
          return posts;
        });
  }
}
