package chat.messaging;

import chat.messaging.BrokerPolicy.Action;
import chat.messaging.BrokerPolicy.Kind;
import chat.protocol.LogText;
import org.apache.activemq.artemis.core.security.CheckType;
import org.apache.activemq.artemis.core.security.Role;
import org.apache.activemq.artemis.spi.core.protocol.RemotingConnection;
import org.apache.activemq.artemis.spi.core.security.ActiveMQSecurityManager5;
import org.apache.activemq.artemis.spi.core.security.jaas.NoCacheLoginException;
import org.apache.activemq.artemis.spi.core.security.jaas.RolePrincipal;
import org.apache.activemq.artemis.spi.core.security.jaas.UserPrincipal;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.security.auth.Subject;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Set;

/**
 * The embedded broker's security manager. The service principals prove themselves with their
 * generated passwords; a user connects with its name and its current token as password, which
 * the {@link UserDirectory} checks against the store; anyone else is refused, unless legacy
 * clients are allowed, who then connect anonymously. What each may do is {@link BrokerPolicy}.
 */
public final class BrokerSecurity implements ActiveMQSecurityManager5 {
  private static final Logger LOG = LoggerFactory.getLogger(BrokerSecurity.class);

  private final ServiceCredentials login;
  private final ServiceCredentials app;
  private final boolean legacyClients;
  private volatile UserDirectory users;

  /** A service principal: its user name and password. */
  public record ServiceCredentials(String user, String password) {
    boolean matches(String u, String p) {
      return user.equals(u) && p != null
          && MessageDigest.isEqual(password.getBytes(StandardCharsets.UTF_8), p.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public String toString() {
      return "ServiceCredentials[" + user + "]";
    }
  }

  public BrokerSecurity(ServiceCredentials login, ServiceCredentials app, boolean legacyClients) {
    this.login = login;
    this.app = app;
    this.legacyClients = legacyClients;
  }

  /** Users can connect once the store is open; until then only the services can. */
  public void users(UserDirectory directory) {
    this.users = directory;
  }

  @Override
  public Subject authenticate(String user, String password, RemotingConnection connection, String securityDomain)
      throws NoCacheLoginException {
    Kind kind = kindOf(user, password);
    if (kind == null) {
      LOG.warn("broker refused a connection from {} as {}", connection == null ? "?" : connection.getRemoteAddress(),
          user == null ? "anonymous" : LogText.quote(user));
      return null;
    }
    Subject subject = new Subject();
    subject.getPrincipals().add(new UserPrincipal(user == null ? "" : user));
    subject.getPrincipals().add(new RolePrincipal(kind.name()));
    return subject;
  }

  private Kind kindOf(String user, String password) {
    if (user == null || user.isEmpty()) {
      return legacyClients ? Kind.ANONYMOUS : null;
    }
    if (login.matches(user, password)) {
      return Kind.LOGIN_SERVICE;
    }
    if (app.matches(user, password)) {
      return Kind.APP_SERVICE;
    }
    UserDirectory directory = users;
    return directory != null && password != null && directory.holdsToken(user, password) ? Kind.USER : null;
  }

  @Override
  public boolean authorize(Subject subject, Set<Role> roles, CheckType checkType, String address) {
    Kind kind = kindOf(subject);
    if (kind == null) {
      return false;
    }
    String user = getUserFromSubject(subject);
    UserDirectory directory = users;
    boolean allowed = BrokerPolicy.allows(kind, Action.valueOf(checkType.name()), address,
        channel -> directory != null && directory.mayRead(user, channel));
    if (!allowed) {
      LOG.warn("broker refused {} on {} to {}", checkType, LogText.quote(address), LogText.quote(user));
    }
    return allowed;
  }

  private static Kind kindOf(Subject subject) {
    if (subject == null) {
      return null;
    }
    for (RolePrincipal role : subject.getPrincipals(RolePrincipal.class)) {
      return Kind.valueOf(role.getName());
    }
    return null;
  }

  @Override
  public boolean validateUser(String user, String password) {
    return kindOf(user, password) != null;
  }

  @Override
  public boolean validateUserAndRole(String user, String password, Set<Role> roles, CheckType checkType) {
    return false;
  }

  /** The store's side of broker security: tokens and who may read which channel. */
  public interface UserDirectory {
    /** Whether {@code user} is logged in with {@code token}. */
    boolean holdsToken(String user, String token);

    /** Whether {@code channel} is {@code user}'s personal channel or that of one of its groups. */
    boolean mayRead(String user, String channel);
  }
}
