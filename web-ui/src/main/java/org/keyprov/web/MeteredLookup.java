package org.keyprov.web;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.EnumMap;
import java.util.Map;
import org.keyprov.keys.LookupResult;
import org.keyprov.keys.PskLookup;
import org.keyprov.keys.gba.NafId;

/**
 * The Enablers' lookups by result, each with its latency histogram ({@code keyprov.lookups}):
 * {@code granted}, a refusal's reason, or {@code error} when the lookup itself failed.
 */
final class MeteredLookup implements PskLookup {
  private final PskLookup lookup;
  private final Timer granted;
  private final Timer error;
  private final Map<LookupResult.Refusal, Timer> refused =
      new EnumMap<>(LookupResult.Refusal.class);

  MeteredLookup(PskLookup lookup, MeterRegistry registry) {
    this.lookup = lookup;
    this.granted = timer(registry, "granted");
    this.error = timer(registry, "error");
    for (LookupResult.Refusal r : LookupResult.Refusal.values()) {
      refused.put(r, timer(registry, r.name()));
    }
  }

  private static Timer timer(MeterRegistry registry, String result) {
    return Timer.builder("keyprov.lookups")
        .description("Key lookups by Enablers at handshake time")
        .tag("result", result)
        .publishPercentileHistogram()
        .minimumExpectedValue(java.time.Duration.ofMillis(1))
        .maximumExpectedValue(java.time.Duration.ofSeconds(5))
        .register(registry);
  }

  @Override
  public LookupResult lookup(String pskIdentity, NafId nafId) {
    long start = System.nanoTime();
    Timer outcome = error;
    try {
      LookupResult result = lookup.lookup(pskIdentity, nafId);
      outcome = result instanceof LookupResult.Refused r ? refused.get(r.reason()) : granted;
      return result;
    } finally {
      outcome.record(System.nanoTime() - start, java.util.concurrent.TimeUnit.NANOSECONDS);
    }
  }

  @Override
  public void handshakeFailed(String pskIdentity, NafId nafId, String reason) {
    lookup.handshakeFailed(pskIdentity, nafId, reason);
  }
}
