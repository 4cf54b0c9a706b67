package chat.login;

import chat.messaging.BrokerSecurity;
import chat.store.Db;
import chat.store.User;
import chat.store.UserRepository;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.TimeUnit;

/**
 * The store's answers to the embedded broker: is this user logged in with this token, and
 * may it read this channel. The broker asks from its own threads, so waiting here blocks no
 * event loop; a store that does not answer in time means no.
 */
public final class BrokerUsers implements BrokerSecurity.UserDirectory {
  private static final Logger LOG = LoggerFactory.getLogger(BrokerUsers.class);
  private static final long TIMEOUT_SECONDS = 5;
  private final Db db;
  private final UserRepository users = new UserRepository();

  public BrokerUsers(Db db) {
    this.db = db;
  }

  @Override
  public boolean holdsToken(String user, String token) {
    User holder = ask(db.autoCommit(c -> users.byToken(c, token)), null);
    return holder != null && holder.name().equals(user);
  }

  @Override
  public boolean mayRead(String user, String channel) {
    return ask(db.autoCommit(c -> users.readsChannel(c, user, channel)), false);
  }

  private static <T> T ask(io.vertx.core.Future<T> answer, T otherwise) {
    try {
      return answer.await(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    } catch (Exception e) {
      LOG.warn("broker security could not ask the store: {}", e.toString());
      return otherwise;
    }
  }
}
