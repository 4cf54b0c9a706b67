package chat.store;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/** Groups and memberships. Groups outlive their members. */
public final class GroupRepository {

  public Group byName(Sql c, String name) throws SQLException {
    return group(c.row("SELECT seq, name, channel FROM chat_groups WHERE name = ?", name));
  }

  /** Who sends (the user holding a token), to which group (null when there is none), and whether a member. */
  public record Target(User me, Group group, boolean member) { }

  /** send-group: the sender holding {@code token} and the group called {@code name}, in one statement; null without a valid session. */
  public Target target(Sql c, UserRepository users, String token, String name) throws SQLException {
    UserRepository.Mine mine = users.mine(c, token, "SELECT g.seq, g.name, g.channel, CASE WHEN EXISTS (SELECT 1"
        + " FROM memberships m WHERE m.group_seq = g.seq AND m.member = " + UserRepository.MY_ID + ") THEN 1 ELSE 0"
        + " END AS member FROM chat_groups g WHERE g.name = ?", "r.seq", UserRepository.MY_HASH, name);
    if (mine == null) {
      return null;
    }
    Row r = mine.first();
    return new Target(mine.user(), group(r), r != null && r.getInteger(3) == 1);
  }

  public Group create(Sql c, String name, String channel, long creator) throws SQLException {
    c.update("INSERT INTO chat_groups (name, channel, creator) VALUES (?, ?, ?)", name, channel, creator);
    return byName(c, name);
  }

  /** How many groups the user has created (and not lost by being deleted). */
  public int createdBy(Sql c, long user) throws SQLException {
    return c.row("SELECT COUNT(*) FROM chat_groups WHERE creator = ?", user).getInteger(0);
  }

  public boolean member(Sql c, long groupSeq, long user) throws SQLException {
    return c.exists("SELECT 1 FROM memberships WHERE group_seq = ? AND member = ?", groupSeq, user);
  }

  public void join(Sql c, long groupSeq, long user) throws SQLException {
    c.update("INSERT INTO memberships (group_seq, member) VALUES (?, ?)", groupSeq, user);
  }

  /** All groups, in creation order. */
  public List<String> all(Sql c) throws SQLException {
    return c.strings("SELECT name FROM chat_groups ORDER BY seq");
  }

  /** My groups, in the order I joined them. */
  public List<Group> joined(Sql c, long user) throws SQLException {
    List<Row> rows = c.rows("SELECT g.seq, g.name, g.channel FROM memberships m JOIN chat_groups g"
        + " ON g.seq = m.group_seq WHERE m.member = ? ORDER BY m.seq", user);
    List<Group> groups = new ArrayList<>(rows.size());
    rows.forEach(r -> groups.add(group(r)));
    return groups;
  }

  private static Group group(Row r) {
    return r == null ? null : new Group(r.getLong(0), r.getString(1), r.getString(2));
  }
}
