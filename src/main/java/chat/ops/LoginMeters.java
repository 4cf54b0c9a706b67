package chat.ops;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * Logins by outcome, {@code chat_logins_total{outcome}}: ok; failed (a wrong name or password);
 * limited (refused unchecked while the account or its source backs off); unavailable (the
 * password was right but no application server could be had).
 */
public final class LoginMeters {
  private final Counter ok;
  private final Counter failed;
  private final Counter limited;
  private final Counter unavailable;

  LoginMeters(MeterRegistry registry) {
    ok = counter(registry, "ok");
    failed = counter(registry, "failed");
    limited = counter(registry, "limited");
    unavailable = counter(registry, "unavailable");
  }

  private static Counter counter(MeterRegistry registry, String outcome) {
    return Counter.builder("chat.logins").description("logins by outcome").tag("outcome", outcome).register(registry);
  }

  public void ok() {
    ok.increment();
  }

  public void failed() {
    failed.increment();
  }

  public void limited() {
    limited.increment();
  }

  public void unavailable() {
    unavailable.increment();
  }
}
