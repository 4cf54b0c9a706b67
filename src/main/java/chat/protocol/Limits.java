package chat.protocol;

import io.vertx.core.json.JsonObject;

/**
 * Quotas and limits outside the reference protocol: the {@code limits} section of the
 * configuration. A count of 0 turns that limit off. The defaults are far above anything the
 * reference suites, the load benchmark or a person typing ever reach.
 *
 * @param maxNameLength    longest new user or group name, in characters; 0 leaves only the
 *                         store's bound of {@link Rules#MAX_NAME}
 * @param safeNames        new names only from letters, digits, {@code _ - .} ({@link Rules#name})
 * @param maxMessageLength longest message of {@code send} and {@code send-group} and longest
 *                         {@code post}, in characters
 * @param maxPostsPerUser  posts one user may have
 * @param maxGroupsPerUser groups one user may create
 * @param maxFeedPosts     most posts in one {@code receive-post} reply: the newest are kept
 * @param writeBurst       writes ({@code post}, {@code send}, {@code send-group},
 *                         {@code create-group}) one user may make at once
 * @param writesPerSecond  writes one user may make per second, sustained; 0 turns the rate
 *                         limit off
 * @param rateTrackedUsers most users whose recent writes an application server remembers
 */
public record Limits(int maxNameLength, boolean safeNames, int maxMessageLength, int maxPostsPerUser,
                     int maxGroupsPerUser, int maxFeedPosts, int writeBurst, int writesPerSecond,
                     int rateTrackedUsers) {

  public static final Limits DEFAULTS = new Limits(32, true, 4096, 10_000, 100, 1_000, 200, 100, 100_000);

  /** Every limit off: the service as the reference protocol describes it. */
  public static final Limits NONE = new Limits(0, false, 0, 0, 0, 0, 0, 0, 0);

  /** The {@code limits} section; a setting left out keeps its default. */
  public static Limits fromJson(JsonObject j) {
    Limits d = DEFAULTS;
    return new Limits(j.getInteger("maxNameLength", d.maxNameLength), j.getBoolean("safeNames", d.safeNames),
        j.getInteger("maxMessageLength", d.maxMessageLength), j.getInteger("maxPostsPerUser", d.maxPostsPerUser),
        j.getInteger("maxGroupsPerUser", d.maxGroupsPerUser), j.getInteger("maxFeedPosts", d.maxFeedPosts),
        j.getInteger("writeBurst", d.writeBurst), j.getInteger("writesPerSecond", d.writesPerSecond),
        j.getInteger("rateTrackedUsers", d.rateTrackedUsers));
  }

  /** The longest new name accepted: the setting, never more than the store holds. */
  public int nameLength() {
    return maxNameLength > 0 ? Math.min(maxNameLength, Rules.MAX_NAME) : Rules.MAX_NAME;
  }

  /** Whether writes are rate limited at all. */
  public boolean rateLimited() {
    return writesPerSecond > 0 && writeBurst > 0;
  }
}
