package chat.store;

import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;

import java.util.ArrayList;
import java.util.List;

/** Groups and memberships. Groups outlive their members. */
public final class GroupRepository {

  public Future<Group> byName(SqlClient c, String name) {
    return Db.row(c, "SELECT seq, name, channel FROM chat_groups WHERE name = ?", name).map(GroupRepository::group);
  }

  public Future<Group> create(SqlClient c, String name, String channel, long creator) {
    return Db.update(c, "INSERT INTO chat_groups (name, channel, creator) VALUES (?, ?, ?)", name, channel, creator)
        .compose(n -> byName(c, name));
  }

  /** How many groups the user has created (and not lost by being deleted). */
  public Future<Integer> createdBy(SqlClient c, long user) {
    return Db.row(c, "SELECT COUNT(*) FROM chat_groups WHERE creator = ?", user).map(r -> r.getInteger(0));
  }

  public Future<Boolean> member(SqlClient c, long groupSeq, long user) {
    return Db.exists(c, "SELECT 1 FROM memberships WHERE group_seq = ? AND member = ?", groupSeq, user);
  }

  public Future<Void> join(SqlClient c, long groupSeq, long user) {
    return Db.update(c, "INSERT INTO memberships (group_seq, member) VALUES (?, ?)", groupSeq, user).mapEmpty();
  }

  /** All groups, in creation order. */
  public Future<List<String>> all(SqlClient c) {
    return Db.rows(c, "SELECT name FROM chat_groups ORDER BY seq").map(Db::strings);
  }

  /** My groups, in the order I joined them. */
  public Future<List<Group>> joined(SqlClient c, long user) {
    return Db.rows(c, "SELECT g.seq, g.name, g.channel FROM memberships m JOIN chat_groups g ON g.seq = m.group_seq"
        + " WHERE m.member = ? ORDER BY m.seq", user).map(rows -> {
          List<Group> groups = new ArrayList<>(rows.size());
          rows.forEach(r -> groups.add(group(r)));
          return groups;
        });
  }

  private static Group group(Row r) {
    return r == null ? null : new Group(r.getLong(0), r.getString(1), r.getString(2));
  }
}
