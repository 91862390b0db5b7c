package org.keyprov.enabler.lookup;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.DoubleSupplier;
import org.keyprov.keys.LookupResult;
import org.keyprov.keys.NafKey;
import org.keyprov.keys.PskLookup;
import org.keyprov.keys.gba.BTid;
import org.keyprov.keys.gba.NafId;

/**
 * Keeps granted keys so a device's repeated handshakes do not each reach the Key Manager. An entry
 * lives at most {@code ttl} and never past the key's expiry; each entry's life is shortened by a
 * random share of up to a quarter of {@code ttl}, so keys cached in one burst (an Enabler's start,
 * a fleet reconnecting) do not all expire, and reach the Key Manager again, in the same moment. An
 * entry goes at once when the Key Manager announces its invalidation ({@link #invalidate}); {@code
 * ttl} bounds how long a revoked key keeps working here if that announcement is lost. Bounded to
 * {@code maxEntries} (least recently used first out). Refusals and failures are never cached.
 * Thread-safe.
 */
public final class KeyCache implements PromptLookup {
  private record Entry(NafKey key, NafId nafId, Instant until) {}

  private final PskLookup delegate;

  /** Default share of the ttl an entry's life is shortened by, at most, at random. */
  public static final double JITTER = 0.25;

  private final Duration ttl;
  private final double jitter;
  private final Clock clock;
  private final DoubleSupplier random;
  private final Map<String, Entry> entries;
  private final AtomicLong hits = new AtomicLong();
  private final AtomicLong misses = new AtomicLong();
  private final AtomicLong generation = new AtomicLong();

  /**
   * Entries live between {@code (1 - jitter) * ttl} and {@code ttl}; {@code random} yields values
   * in [0, 1) that pick where.
   */
  public KeyCache(
      PskLookup delegate,
      int maxEntries,
      Duration ttl,
      double jitter,
      Clock clock,
      DoubleSupplier random) {
    if (!(jitter >= 0 && jitter < 1)) {
      throw new IllegalArgumentException("cache jitter must be in [0, 1), not " + jitter);
    }
    this.delegate = delegate;
    this.ttl = ttl;
    this.jitter = jitter;
    this.clock = clock;
    this.random = random;
    this.entries =
        new LinkedHashMap<>(16, 0.75f, true) {
          private static final long serialVersionUID = 1L;

          @Override
          protected boolean removeEldestEntry(Map.Entry<String, Entry> eldest) {
            return size() > maxEntries;
          }
        };
  }

  @Override
  public LookupResult lookup(String pskIdentity, NafId nafId) {
    Optional<BTid> btid = BTid.fromPskIdentity(pskIdentity);
    // checked again: another handshake of the same device may have filled it meanwhile
    Optional<LookupResult> cached = btid.flatMap(b -> cached(b, nafId));
    if (cached.isPresent()) {
      return cached.get();
    }
    Instant now = clock.instant();
    misses.incrementAndGet();
    long generationBefore = generation.get();
    LookupResult result = delegate.lookup(pskIdentity, nafId);
    // an invalidation that arrived while we asked may be about this very answer: do not keep it
    if (btid.isPresent()
        && result instanceof LookupResult.Granted granted
        && generation.get() == generationBefore) {
      String cacheKey = btid.get().value();
      long ttlNanos = ttl.toNanos();
      Instant until = now.plusNanos(ttlNanos - (long) (ttlNanos * jitter * random.getAsDouble()));
      if (granted.key().expiresAt().isBefore(until)) {
        until = granted.key().expiresAt();
      }
      synchronized (entries) {
        entries.put(cacheKey, new Entry(granted.key(), nafId, until));
      }
    }
    return result;
  }

  /** Passed on: only the Key Manager records failed handshakes. */
  @Override
  public void handshakeFailed(String pskIdentity, NafId nafId, String reason) {
    delegate.handshakeFailed(pskIdentity, nafId, reason);
  }

  /** A granted key of this identity still fresh in the cache; counts a hit. Never blocks. */
  @Override
  public Optional<LookupResult> answerNow(String pskIdentity, NafId nafId) {
    return BTid.fromPskIdentity(pskIdentity).flatMap(b -> cached(b, nafId));
  }

  /** Only for the NAF_Id it was granted to: a cache never answers for another Enabler. */
  private Optional<LookupResult> cached(BTid btid, NafId nafId) {
    Instant now = clock.instant();
    synchronized (entries) {
      Entry e = entries.get(btid.value());
      if (e != null && now.isBefore(e.until()) && e.nafId().equals(nafId)) {
        hits.incrementAndGet();
        return Optional.of(new LookupResult.Granted(e.key()));
      }
      if (e != null && !now.isBefore(e.until())) {
        entries.remove(btid.value());
      }
    }
    return Optional.empty();
  }

  public long hits() {
    return hits.get();
  }

  public long misses() {
    return misses.get();
  }

  /** Forgets the key of this B-TID, invalidated at the Key Manager. */
  public void invalidate(String btid) {
    generation.incrementAndGet();
    synchronized (entries) {
      entries.remove(btid);
    }
  }

  /** Forgets everything (when invalidations may have been missed). */
  public void clear() {
    generation.incrementAndGet();
    synchronized (entries) {
      entries.clear();
    }
  }
}
