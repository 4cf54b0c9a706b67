package chat.messaging;

import chat.messaging.BrokerPolicy.Action;
import chat.messaging.BrokerPolicy.Kind;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The broker's table of who may do what, case by case. "mine" is the channel the user owns. */
class BrokerPolicyTest {
  private static final String MINE = "u-" + "a".repeat(32);
  private static final String THEIRS = "u-" + "b".repeat(32);
  private static final String GROUP = "g-" + "c".repeat(32);

  @ParameterizedTest(name = "{0} {1} {2} -> {3}")
  @CsvSource({
      "USER,          CONSUME,                  mine,                true",
      "USER,          CREATE_NON_DURABLE_QUEUE, mine,                true",
      "USER,          CONSUME,                  mine::sub,           true",
      "USER,          CONSUME,                  theirs,              false",
      "USER,          CONSUME,                  group,               false",
      "USER,          SEND,                     mine,                false",
      "USER,          SEND,                     theirs,              false",
      "USER,          CONSUME,                  #,                   false",
      "USER,          CONSUME,                  activemq.management, false",
      "USER,          MANAGE,                   mine,                false",
      "USER,          SEND,                     chat.fleet.control,  false",
      "USER,          CONSUME,                  chat.fleet.control,  false",
      "ANONYMOUS,     CONSUME,                  theirs,              true",
      "ANONYMOUS,     CONSUME,                  #,                   false",
      "ANONYMOUS,     CONSUME,                  activemq.notifications, false",
      "ANONYMOUS,     SEND,                     theirs,              false",
      "ANONYMOUS,     SEND,                     chat.fleet.control,  false",
      "APP_SERVICE,   SEND,                     theirs,              true",
      "APP_SERVICE,   CREATE_ADDRESS,           group,               true",
      "APP_SERVICE,   SEND,                     chat.fleet.control,  true",
      "APP_SERVICE,   CONSUME,                  chat.fleet.control,  false",
      "APP_SERVICE,   SEND,                     chat.fleet.login.requests, false",
      "APP_SERVICE,   CONSUME,                  chat.fleet.login.requests, false",
      "USER,          SEND,                     chat.fleet.login.requests, false",
      "USER,          CONSUME,                  chat.fleet.login.reply.login-ab12, false",
      "ANONYMOUS,     CONSUME,                  chat.fleet.login.reply.login-ab12, false",
      "LOGIN_SERVICE, SEND,                     chat.fleet.login.requests, true",
      "LOGIN_SERVICE, CONSUME,                  chat.fleet.login.requests, true",
      "LOGIN_SERVICE, CONSUME,                  chat.fleet.login.reply.login-ab12, true",
      "LOGIN_SERVICE, CONSUME,                  chat.fleet.login., false",
      "LOGIN_SERVICE, MANAGE,                   chat.fleet.login.requests, false",
      "LOGIN_SERVICE, DELETE_ADDRESS,           chat.fleet.login.events, true",
      "LOGIN_SERVICE, DELETE_ADDRESS,           chat.fleet.control,  true",
      "LOGIN_SERVICE, DELETE_ADDRESS,           group,               false",
      "LOGIN_SERVICE, DELETE_ADDRESS,           chat.fleet.login.,   false",
      "APP_SERVICE,   DELETE_ADDRESS,           chat.fleet.control,  false",
      "USER,          DELETE_ADDRESS,           mine,                false",
      "APP_SERVICE,   CONSUME,                  theirs,              false",
      "APP_SERVICE,   SEND,                     activemq.management, false",
      "APP_SERVICE,   DELETE_ADDRESS,           theirs,              false",
      "LOGIN_SERVICE, CONSUME,                  chat.fleet.control,  true",
      "LOGIN_SERVICE, SEND,                     group,               true",
      "LOGIN_SERVICE, CONSUME,                  theirs,              false",
      "LOGIN_SERVICE, MANAGE,                   activemq.management, false",
  })
  void decides(Kind kind, Action action, String address, boolean allowed) {
    String real = switch (address) {
      case "mine" -> MINE;
      case "mine::sub" -> MINE + "::sub";
      case "theirs" -> THEIRS;
      case "group" -> GROUP;
      default -> address;
    };
    assertEquals(allowed, BrokerPolicy.allows(kind, action, real, MINE::equals));
  }
}
