package chat.login;

import java.util.Map;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/**
 * A case written as one line of steps on a clock the test moves, for the tables of the guards'
 * tests. Steps are separated by {@code ;}: {@code +400} moves the clock on 400 ms; {@code verb key}
 * acts on the thing tested; {@code verb key = expected} also checks what it answered.
 */
final class ClockSteps {
  private long now;

  ClockSteps(long start) {
    now = start;
  }

  long now() {
    return now;
  }

  void advance(long millis) {
    now += millis;
  }

  /** Runs {@code steps}; each verb is a function of the step's key (null when it names none). */
  void run(String steps, Map<String, Function<String, Object>> verbs) {
    for (String step : steps.split(";")) {
      step = step.trim();
      if (step.startsWith("+")) {
        advance(Long.parseLong(step.substring(1).trim()));
        continue;
      }
      String[] sides = step.split("=", 2);
      String[] words = sides[0].trim().split("\\s+", 2);
      Function<String, Object> verb = verbs.get(words[0]);
      assertNotNull(verb, "no verb " + words[0] + " in: " + steps);
      Object answer = verb.apply(words.length > 1 ? words[1] : null);
      if (sides.length > 1) {
        assertEquals(sides[1].trim(), String.valueOf(answer), "at " + step + " in: " + steps);
      }
    }
  }
}
