package chat.config;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The digests the store keys tokens by, and the signatures of fleet messages, against published vectors. */
class SecretsTest {
  private static final String ABC = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
  private static final String EMPTY = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

  @Test
  void sha256OfKnownTextsAgainAndAgainAndFromManyThreads() throws Exception {
    assertEquals(ABC, Secrets.sha256Hex("abc"));
    assertEquals(EMPTY, Secrets.sha256Hex(""), "nothing of the text before is left in the digest");
    assertEquals(ABC, Secrets.sha256Hex("abc"));
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<Boolean>> all = new ArrayList<>();
      for (int t = 0; t < 8; t++) {
        all.add(pool.submit(() -> {
          for (int i = 0; i < 2_000; i++) {
            if (!ABC.equals(Secrets.sha256Hex("abc")) || !EMPTY.equals(Secrets.sha256Hex(""))) {
              return false;
            }
          }
          return true;
        }));
      }
      for (Future<Boolean> f : all) {
        assertEquals(true, f.get(60, TimeUnit.SECONDS));
      }
    } finally {
      pool.shutdownNow();
    }
  }

  /** RFC 4231, test case 2. */
  @Test
  void hmacSha256OfTheRfcVectorWithAKeyedMacUsedTwice() {
    String expected = "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843";
    assertEquals(expected, Secrets.hmacSha256Hex("Jefe", "what do ya want for nothing?"));
    javax.crypto.Mac mac = Secrets.hmacSha256("Jefe");
    assertEquals(expected, Secrets.hmacSha256Hex(mac, "what do ya want for nothing?"));
    assertEquals(expected, Secrets.hmacSha256Hex(mac, "what do ya want for nothing?"), "ready again after each");
  }
}
