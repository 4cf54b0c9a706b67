package chat.login;

import chat.fleet.AppAddress;
import chat.login.Forwarder.Next;
import chat.wire.WireClient;
import org.junit.jupiter.api.Test;

import java.net.ConnectException;
import java.net.SocketException;
import java.util.concurrent.TimeoutException;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** What the login server does when a command it forwards to an application server gets no answer. */
class ForwarderTest {
  private static final AppAddress OLD = new AppAddress("app-1", "127.0.0.1", 7001);
  private static final AppAddress NEW = new AppAddress("app-2", "127.0.0.1", 7002);

  @Test
  void aMovedUsersCommandThatTheStoppedServerRefusedGoesToTheNewServer() {
    assertEquals(Next.TO_NEW_SERVER, Forwarder.after(new ConnectException("refused"), OLD, NEW));
  }

  @Test
  void aMovedUsersCommandResetByTheStoppingServerGoesToTheNewServer() {
    assertEquals(Next.TO_NEW_SERVER, Forwarder.after(new SocketException("Connection reset"), OLD, NEW));
  }

  @Test
  void aMovedUsersCommandClosedUnreadByTheStoppingServerGoesToTheNewServer() {
    assertEquals(Next.TO_NEW_SERVER, Forwarder.after(unanswered(), OLD, NEW));
  }

  @Test
  void aFailureWrappingAnIoErrorCountsAsUnanswered() {
    assertEquals(Next.TO_NEW_SERVER, Forwarder.after(new RuntimeException(new SocketException("reset")), OLD, NEW));
  }

  @Test
  void anUnreachableServerThatIsStillTheUsersIsSuspected() {
    assertEquals(Next.SUSPECT, Forwarder.after(new ConnectException("refused"), OLD, OLD));
    assertEquals(Next.SUSPECT, Forwarder.after(new RuntimeException(new ConnectException("refused")), OLD, OLD));
  }

  @Test
  void aCommandCutOffByTheUsersOwnServerIsLeftToTheClient() {
    // the server may have died while doing it: sent again, it could be done twice
    assertEquals(Next.FAIL, Forwarder.after(unanswered(), OLD, OLD));
    assertEquals(Next.FAIL, Forwarder.after(new SocketException("Connection reset"), OLD, OLD));
  }

  @Test
  void aLateAnswerIsNeverSentElsewhere() {
    // the server may still be doing it
    assertEquals(Next.FAIL, Forwarder.after(new TimeoutException("no reply"), OLD, NEW));
    assertEquals(Next.FAIL, Forwarder.after(new TimeoutException("no reply"), OLD, OLD));
  }

  @Test
  void aFailureOtherThanTheWiresIsLeftToTheClient() {
    assertEquals(Next.FAIL, Forwarder.after(new IllegalStateException("bad reply"), OLD, NEW));
  }

  private static Exception unanswered() {
    return new WireClient.NoReply();
  }
}
