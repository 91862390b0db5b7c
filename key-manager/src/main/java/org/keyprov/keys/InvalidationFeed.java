package org.keyprov.keys;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Keys that stopped being valid before their expiry (revoked, device deleted), as a feed an Enabler
 * follows with a cursor so that it drops cached keys at once. Nothing is lost between two calls:
 * the cursor names the last invalidation seen, and the next call answers everything after it.
 * Thread-safe.
 */
public interface InvalidationFeed {

  /** Start here to get only what is invalidated from now on. */
  long NOW = -1;

  /**
   * The invalidations of keys minted for {@code nafFqdn} after cursor {@code after}, oldest first,
   * waiting up to {@code wait} for one if there is none yet. With {@link #NOW}, answers at once
   * with the current cursor and no B-TIDs.
   *
   * @throws RuntimeException if the Key Manager cannot be asked (the caller retries later)
   */
  Batch next(long after, String nafFqdn, Duration wait) throws InterruptedException;

  /** B-TIDs no longer valid, and the cursor to ask after next. */
  record Batch(long cursor, List<String> btids) {
    public Batch {
      btids = List.copyOf(Objects.requireNonNull(btids, "btids"));
    }
  }
}
