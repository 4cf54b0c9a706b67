package chat.it;

import chat.config.ChatConfig;
import chat.store.Db;
import chat.store.Row;
import chat.store.UserRepository;
import chat.support.Conditions;
import chat.support.RunningService;
import chat.support.Wire;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Passwords, guessing and tokens over real sockets, with the real store: what a client sees,
 * and what the store keeps.
 */
class AuthenticationTest {
  private static final String OK = "Success!";
  private static final String BAD_LOGIN = "No such user or password error";
  private static final String TOO_MANY = "Too many attempts, try again later";
  private static final String NOT_LOGIN = "Not login yet";

  @TempDir
  Path data;
  @AutoClose
  private RunningService service;
  private Db store;

  private void start(Map<String, String> overrides) throws Exception {
    service = RunningService.start(data, overrides);
    store = Db.open(service.vertx(), service.config().storeOptions(service.config().localStoreUrl()));
  }

  /** The store's own connection closes before the service does. */
  @AfterEach
  void closeStore() throws Exception {
    if (store != null) {
      store.close().await(30, TimeUnit.SECONDS);
    }
  }

  /** The hash costs of the shipped defaults (the test servers otherwise use cheap ones). */
  private static Map<String, String> defaultCosts() throws IOException {
    JsonObject p = ChatConfig.defaults().getJsonObject("passwords");
    Map<String, String> m = new HashMap<>();
    m.put("passwords.memoryKiB", String.valueOf(p.getInteger("memoryKiB")));
    m.put("passwords.iterations", String.valueOf(p.getInteger("iterations")));
    m.put("passwords.parallelism", String.valueOf(p.getInteger("parallelism")));
    return m;
  }

  private static Map<String, String> with(Map<String, String> base, String... keyValues) {
    Map<String, String> m = new HashMap<>(base);
    for (int i = 0; i < keyValues.length; i += 2) {
      m.put(keyValues[i], keyValues[i + 1]);
    }
    return m;
  }

  /** Every column of the user's row. */
  private Row userRow(String name) throws Exception {
    return column(name, "*");
  }

  private Row column(String name, String column) throws Exception {
    return store.tx(c -> c.row("SELECT " + column + " FROM users WHERE name = ?", name)).await(30, TimeUnit.SECONDS);
  }

  private String passwordHash(String name) throws Exception {
    return column(name, "password_hash").getString(0);
  }

  private static double medianMillis(List<Long> nanos) {
    List<Long> sorted = new ArrayList<>(nanos);
    sorted.sort(null);
    return sorted.get(sorted.size() / 2) / 1e6;
  }

  /** A user registered and logged in: its token, and the port of the application server it was given. */
  private record LoggedIn(String token, int appPort) {
  }

  private LoggedIn registerAndLogIn(String name, String password) throws IOException {
    assertEquals(OK, service.message("register " + name + " " + password));
    JsonObject reply = service.ask("login " + name + " " + password);
    return new LoggedIn(reply.getString("token"), reply.getJsonObject("server").getInteger("port"));
  }

  // ---- passwords

  @Test
  void newPasswordsAreStoredAsArgon2idWithAtLeastOwaspCosts() throws Exception {
    start(defaultCosts());
    assertEquals(OK, service.message("register alice pw"));
    String stored = passwordHash("alice");
    Matcher m = Pattern.compile("\\$argon2id\\$v=19\\$m=(\\d+),t=(\\d+),p=(\\d+)\\$[A-Za-z0-9+/]+\\$[A-Za-z0-9+/]+")
        .matcher(stored);
    assertTrue(m.matches(), stored);
    assertTrue(Integer.parseInt(m.group(1)) >= 19_456, stored);
    assertTrue(Integer.parseInt(m.group(2)) >= 2, stored);

    List<Long> times = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      long t0 = System.nanoTime();
      service.login("alice", "pw");
      times.add(System.nanoTime() - t0);
    }
    System.out.printf("login with Argon2id at the default costs: median %.1f ms%n", medianMillis(times));
  }

  @Test
  void aPbkdf2HashOfAnOlderReleaseLogsInAndIsReplacedByArgon2id() throws Exception {
    start(defaultCosts());
    assertEquals(OK, service.message("register old secret-from-before"));
    String legacy = pbkdf2("secret-from-before");
    store.tx(c -> c.update("UPDATE users SET password_hash = ? WHERE name = ?", legacy, "old"))
        .await(30, TimeUnit.SECONDS);

    assertEquals(BAD_LOGIN, service.message("login old wrong"));
    assertEquals(legacy, passwordHash("old"), "a wrong password changes nothing");
    service.login("old", "secret-from-before");
    String replaced = passwordHash("old");
    assertTrue(replaced.startsWith("$argon2id$v=19$m=19456,t=2,p=1$"), replaced);
    service.login("old", "secret-from-before");
    assertEquals(BAD_LOGIN, service.message("login old wrong"));
  }

  @Test
  void anUnknownUserTakesAsLongAsAWrongPassword() throws Exception {
    start(defaultCosts());
    int tries = 7;
    for (int i = 0; i < tries; i++) {
      assertEquals(OK, service.message("register known" + i + " pw"));
    }
    List<Long> unknown = new ArrayList<>();
    List<Long> wrong = new ArrayList<>();
    // one failure per account, so no account backs off; interleaved, so load hits both alike
    for (int i = 0; i < tries; i++) {
      long t0 = System.nanoTime();
      assertEquals(BAD_LOGIN, service.message("login nobody" + i + " pw"));
      unknown.add(System.nanoTime() - t0);
      t0 = System.nanoTime();
      assertEquals(BAD_LOGIN, service.message("login known" + i + " wrong"));
      wrong.add(System.nanoTime() - t0);
    }
    double u = medianMillis(unknown);
    double w = medianMillis(wrong);
    System.out.printf("failed login, median: unknown user %.1f ms, wrong password %.1f ms%n", u, w);
    assertTrue(u > 0.5 * w && u < 2 * w, "unknown " + u + " ms, wrong password " + w + " ms");
  }

  @Test
  void aNewPasswordShorterThanTheMinimumIsRefused() throws Exception {
    start(Map.of("passwords.minLength", "4"));
    assertEquals("Password too short (at least 4 characters)", service.message("register shorty abc"));
    assertEquals(OK, service.message("register shorty abcd"));
    assertEquals("shorty is already used", service.message("register shorty abc"), "the name check comes first");
  }

  @Test
  void aFullHashPoolAnswersBusyInsteadOfQueueing() throws Exception {
    start(with(defaultCosts(), "passwords.hashThreads", "1", "passwords.hashQueue", "0"));
    assertEquals(OK, service.message("register crowd pw"));
    int n = 6;
    ExecutorService pool = Executors.newFixedThreadPool(n);
    try {
      CountDownLatch go = new CountDownLatch(1);
      List<Callable<String>> logins = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        logins.add(() -> {
          go.await();
          return service.message("login crowd pw");
        });
      }
      List<java.util.concurrent.Future<String>> futures = new ArrayList<>();
      logins.forEach(l -> futures.add(pool.submit(l)));
      go.countDown();
      List<String> answers = new ArrayList<>();
      for (var f : futures) {
        answers.add(f.get(60, TimeUnit.SECONDS));
      }
      assertTrue(answers.contains(OK), answers.toString());
      assertTrue(answers.contains("Server busy, try again later"), answers.toString());
      assertTrue(answers.stream().allMatch(a -> a.equals(OK) || a.equals("Server busy, try again later")),
          answers.toString());
    } finally {
      pool.shutdownNow();
    }
  }

  // ---- guessing

  @Test
  void afterTooManyWrongPasswordsEvenTheRightOneWaitsThenTheOwnerGetsIn() throws Exception {
    start(Map.of("login.accountFreeFailures", "3", "login.firstDelayMillis", "300",
        "login.accountMaxDelaySeconds", "1"));
    assertEquals(OK, service.message("register alice right"));
    assertEquals(OK, service.message("register bob pb"));
    for (int i = 0; i < 3; i++) {
      assertEquals(BAD_LOGIN, service.message("login alice guess" + i));
    }
    assertEquals(TOO_MANY, service.message("login alice right"));
    service.login("bob", "pb");

    Conditions.await("the owner to get in", 10_000, () -> {
      try {
        return OK.equals(service.message("login alice right"));
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
    });
    assertEquals(BAD_LOGIN, service.message("login alice guess"), "the success forgot the failures");
  }

  @Test
  void guessingOneAccountIsHeldToAFewTriesWithTheDefaults() throws Exception {
    start(Map.of());
    assertEquals(OK, service.message("register victim right"));
    int checked = 0;
    int refused = 0;
    long t0 = System.nanoTime();
    long seconds = 5;
    for (int i = 0; System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(seconds); i++) {
      String answer = service.message("login victim guess" + i);
      if (answer.equals(BAD_LOGIN)) {
        checked++;
      } else {
        assertEquals(TOO_MANY, answer);
        refused++;
      }
    }
    System.out.printf("guessing one account for %d s from one source: %d guesses checked (%.1f/s), %d refused"
        + " (%.0f attempts/s)%n", seconds, checked, checked / (double) seconds, refused,
        (checked + refused) / (double) seconds);
    // five free failures, then windows of 1 s, 2 s, 4 s: about seven checks in five seconds
    assertTrue(checked <= 10, checked + " guesses checked in " + seconds + " s");
    assertTrue(refused > 0);
  }

  @Test
  void oneSourceFailingOnManyAccountsBacksOff() throws Exception {
    start(Map.of("login.sourceFreeFailures", "3", "login.firstDelayMillis", "60000"));
    assertEquals(OK, service.message("register carol pc"));
    for (int i = 0; i < 3; i++) {
      assertEquals(BAD_LOGIN, service.message("login someone" + i + " guess"));
    }
    assertEquals(TOO_MANY, service.message("login carol pc"));
  }

  @Test
  void aRegistrationFloodFromOneSourceIsLimited() throws Exception {
    start(Map.of("login.registerBurst", "5", "login.registerPerMinute", "1"));
    for (int i = 0; i < 5; i++) {
      assertEquals(OK, service.message("register flood" + i + " pw"));
    }
    assertEquals(TOO_MANY, service.message("register flood5 pw"));
    assertEquals(TOO_MANY, service.message("register flood6 pw"));
    assertEquals(BAD_LOGIN, service.message("login flood5 pw"), "the refused registration made no account");
  }

  @Test
  void failedLoginsAreLoggedWithTheNameEscapedAndNeverThePassword() throws Exception {
    start(Map.of());
    PrintStream original = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      assertEquals(BAD_LOGIN, service.message("login mallory\u2028INFO\u001b[2Jforged hunter2-secret"));
    } finally {
      System.setErr(original);
    }
    String log = captured.toString(StandardCharsets.UTF_8);
    assertTrue(log.contains("login failed: user \"mallory\\u2028INFO\\u001b[2Jforged\" from 127.0.0.1"), log);
    assertFalse(log.contains("hunter2"), log);
    assertFalse(log.contains("\u2028") || log.contains("\u001b"), log);
  }

  // ---- tokens

  @Test
  void theStoreKeepsOnlyAHashOfTheTokenAndACopiedRowLetsNobodyIn() throws Exception {
    start(Map.of());
    assertEquals(OK, service.message("register dave pd"));
    JsonObject reply = service.ask("login dave pd");
    String token = reply.getString("token");
    assertTrue(token.matches("[0-9a-f]{32}"), token);
    Row row = userRow("dave");
    for (int i = 0; i < row.size(); i++) {
      Object value = row.getValue(i);
      assertFalse(value != null && value.toString().contains(token), "column " + i + " holds the token");
    }
    String stored = column("dave", "token_hash").getString(0);
    assertEquals(UserRepository.tokenHash(token), stored);

    int appPort = reply.getJsonObject("server").getInteger("port");
    assertEquals(NOT_LOGIN, service.message("list-friend " + stored));
    assertEquals(NOT_LOGIN, Wire.reference(appPort, "list-friend " + stored).getString("message"));
    assertEquals(NOT_LOGIN, service.message("list-friend " + column("dave", "token_nonce").getString(0)));
    assertEquals(0, service.ask("list-friend " + token).getInteger("status"));
    assertEquals(token, service.login("dave", "pd"), "logging in again while online gives the same token");
  }

  @Test
  void anIdleTokenExpiresAndTheNextLoginIssuesANewOne() throws Exception {
    start(Map.of("tokens.idleSeconds", "1"));
    LoggedIn erin = registerAndLogIn("erin", "pe");
    String first = erin.token();
    int appPort = erin.appPort();
    long lastUse = column("erin", "token_used").getLong(0);
    // waiting on the store's clock, without using the token (a use would keep it alive)
    Conditions.await("the idle window to pass", 10_000, () -> System.currentTimeMillis() > lastUse + 1_000);

    assertEquals(NOT_LOGIN, service.message("list-friend " + first));
    assertEquals(NOT_LOGIN, Wire.reference(appPort, "list-friend " + first).getString("message"));
    String second = service.login("erin", "pe");
    assertNotEquals(first, second);
    assertEquals(0, service.ask("list-friend " + second).getInteger("status"));
    assertEquals(NOT_LOGIN, service.message("list-friend " + first));
  }

  @Test
  void aTokenInUseStillEndsAtItsAbsoluteDeadline() throws Exception {
    start(Map.of("tokens.absoluteSeconds", "2"));
    assertEquals(OK, service.message("register fay pf"));
    String first = service.login("fay", "pf");
    long t0 = System.nanoTime();
    Conditions.await("the token to expire", 15_000, () -> {
      try {
        return NOT_LOGIN.equals(service.message("list-friend " + first));
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
    });
    assertTrue(System.nanoTime() - t0 > TimeUnit.MILLISECONDS.toNanos(1_000), "it lived while in use");
    String second = service.login("fay", "pf");
    assertNotEquals(first, second);
    assertEquals(0, service.ask("list-friend " + second).getInteger("status"));
  }

  @Test
  void aTokenThatPostedEndsForItsPostsTooAndWhatItSendsAfterIsNotStored() throws Exception {
    start(Map.of());
    LoggedIn gus = registerAndLogIn("gus", "pg");
    String token = gus.token();
    int appPort = gus.appPort();
    // the first post reads the token; the second is one statement, for the user it found
    assertEquals(OK, Wire.reference(appPort, "post " + token + " one").getString("message"));
    assertEquals(OK, Wire.reference(appPort, "post " + token + " two").getString("message"));
    assertEquals("Bye!", service.message("logout " + token));

    assertEquals(NOT_LOGIN, Wire.reference(appPort, "post " + token + " three").getString("message"));

    assertEquals(OK, service.message("register ivy pi"));
    String other = service.login("ivy", "pi");
    assertEquals(OK, Wire.reference(appPort, "post " + other + " one").getString("message"));
    assertEquals("Bye!", service.message("logout " + other));
    assertEquals(NOT_LOGIN, Wire.reference(appPort, "post " + other).getString("message"),
        "the token's check comes before the usage's");
    Row posts = store.tx(c -> c.row("SELECT COUNT(*) FROM posts p JOIN users u ON u.id = p.author WHERE u.name = ?",
        "gus")).await(30, TimeUnit.SECONDS);
    assertEquals(2L, posts.getLong(0));
  }

  @Test
  void aTokenThatKeepsPostingStaysValidPastItsIdleWindow() throws Exception {
    // as fast as it can, not held back by the write limit
    start(Map.of("tokens.idleSeconds", "1", "limits.writeBurst", "100000", "limits.writesPerSecond", "100000"));
    LoggedIn hal = registerAndLogIn("hal", "ph");
    String token = hal.token();
    int appPort = hal.appPort();
    long loggedIn = column("hal", "token_used").getLong(0);
    int n = 0;
    // posting, and nothing else, for three idle windows: each use keeps the session open
    while (System.currentTimeMillis() < loggedIn + 3_000) {
      assertEquals(OK, Wire.reference(appPort, "post " + token + " post " + n).getString("message"), "post " + n);
      n++;
    }
    assertTrue(column("hal", "token_used").getLong(0) > loggedIn + 2_000, "the session's last use was written");
    assertEquals(0, Wire.reference(appPort, "list-friend " + token).getInteger("status"));
  }

  /** A hash as older releases stored it: {@code pbkdf2-sha256$iterations$salt$hash}. */
  private static String pbkdf2(String password) throws Exception {
    byte[] salt = "sixteen byte salt".substring(0, 16).getBytes(StandardCharsets.UTF_8);
    byte[] hash = SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256")
        .generateSecret(new PBEKeySpec(password.toCharArray(), salt, 10_000, 256)).getEncoded();
    Base64.Encoder b64 = Base64.getEncoder().withoutPadding();
    return "pbkdf2-sha256$10000$" + b64.encodeToString(salt) + "$" + b64.encodeToString(hash);
  }
}
