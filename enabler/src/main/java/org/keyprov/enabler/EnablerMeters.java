package org.keyprov.enabler;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.EnumMap;
import java.util.Map;
import org.keyprov.enabler.lookup.HandshakeListener;
import org.keyprov.enabler.lookup.KeyCache;
import org.keyprov.keys.LookupResult.Refusal;

/**
 * The Enabler's handshakes by result ({@code keyprov.enabler.handshakes}): the key granted, refused
 * (with the Key Manager's reason), the lookup failed (Key Manager unreachable or slow), or the key
 * granted but the device proved another one ({@code key_mismatch}, counted besides its {@code
 * granted}).
 */
final class EnablerMeters implements HandshakeListener {
  private static final String NAME = "keyprov.enabler.handshakes";

  private final Counter granted;
  private final Counter lookupFailed;
  private final Counter keyMismatch;
  private final Map<Refusal, Counter> refused = new EnumMap<>(Refusal.class);

  EnablerMeters(MeterRegistry registry, String nafFqdn) {
    granted = counter(registry, nafFqdn, "granted", "none");
    lookupFailed = counter(registry, nafFqdn, "lookup_failed", "none");
    keyMismatch = counter(registry, nafFqdn, "key_mismatch", "none");
    for (Refusal r : Refusal.values()) {
      refused.put(r, counter(registry, nafFqdn, "refused", r.name()));
    }
  }

  /** The key cache's hits and misses ({@code keyprov.enabler.cache}). */
  static void cache(MeterRegistry registry, String nafFqdn, KeyCache cache) {
    FunctionCounter.builder("keyprov.enabler.cache", cache, KeyCache::hits)
        .description("Key lookups answered by the Enabler's cache, or not")
        .tag("enabler", nafFqdn)
        .tag("result", "hit")
        .register(registry);
    FunctionCounter.builder("keyprov.enabler.cache", cache, KeyCache::misses)
        .description("Key lookups answered by the Enabler's cache, or not")
        .tag("enabler", nafFqdn)
        .tag("result", "miss")
        .register(registry);
  }

  private static Counter counter(
      MeterRegistry registry, String nafFqdn, String result, String reason) {
    return Counter.builder(NAME)
        .description("PSK handshakes at the Enabler, by the key decision and how they ended")
        .tag("enabler", nafFqdn)
        .tag("result", result)
        .tag("reason", reason)
        .register(registry);
  }

  @Override
  public void keyGranted(String pskIdentity, String endpoint, int keyVersion) {
    granted.increment();
  }

  @Override
  public void keyRefused(String pskIdentity, Refusal reason, String message) {
    refused.get(reason).increment();
  }

  @Override
  public void lookupFailed(String pskIdentity, String reason) {
    lookupFailed.increment();
  }

  @Override
  public void handshakeFailed(String pskIdentity, String reason) {
    keyMismatch.increment();
  }
}
