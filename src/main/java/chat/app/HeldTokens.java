package chat.app;

import chat.protocol.StalestFirst;
import chat.store.UserRepository;

/**
 * The users of tokens this server has read lately: by the token's hash (never the token), the
 * user's id until the session's last use is next due to be written
 * ({@link UserRepository.Held#nextTouchAt}). Until then a command may act for the token's user
 * in one statement that checks that the session is still valid, instead of reading the token
 * first. At most {@code maxEntries}, the stalest forgotten first; thread-safe.
 */
final class HeldTokens {
  private record Entry(long user, long until) {
  }

  private final StalestFirst<String, Entry> entries;

  HeldTokens(int maxEntries) {
    this.entries = new StalestFirst<>(maxEntries);
  }

  /** The id of the user held by the token with this hash, while nothing is due to be written for it at {@code now}; else -1. */
  synchronized long user(String tokenHash, long now) {
    Entry e = entries.get(tokenHash);
    return e == null || now >= e.until ? -1 : e.user;
  }

  synchronized void put(String tokenHash, UserRepository.Held held, long now) {
    entries.remove(tokenHash);
    entries.put(tokenHash, new Entry(held.user().id(), held.nextTouchAt()), e -> now >= e.until);
  }

  synchronized void forget(String tokenHash) {
    entries.remove(tokenHash);
  }

  synchronized int size() {
    return entries.size();
  }
}
