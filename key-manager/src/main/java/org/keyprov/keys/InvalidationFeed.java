package org.keyprov.keys;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Keys that stopped being valid before their expiry (revoked, device deleted), as a feed that
 * Enablers and DM servers follow with a cursor ({@link InvalidationFollower}) to act at once.
 * Nothing is lost between two calls: the cursor names the last invalidation seen, and the next call
 * answers everything after it. Thread-safe.
 */
public interface InvalidationFeed {

  /** Start here to get only what is invalidated from now on. */
  long NOW = -1;

  /** {@link Invalidation#reason()} of a revoked key. */
  String REVOKED = "REVOKED";

  /**
   * {@link Invalidation#reason()} of a deleted device's keys, and of one entry without a B-TID for
   * the device itself.
   */
  String DEVICE_DELETED = "DEVICE_DELETED";

  /**
   * {@link Invalidation#reason()} of the keys of an Enabler taken off a device: the DM server
   * deletes the device's instance for it.
   */
  String UNASSIGNED = "UNASSIGNED";

  /**
   * {@link Invalidation#reason()} of one entry without a B-TID: the device's DM PSK changed, so its
   * DTLS sessions with the DM server end.
   */
  String DM_PSK_CHANGED = "DM_PSK_CHANGED";

  /**
   * {@link Invalidation#reason()} of one entry without a B-TID: the device's DM PSK is to be
   * rotated, so the DM server holding its registration asks it to bootstrap again.
   */
  String DM_ROTATION = "DM_ROTATION";

  /**
   * The invalidations of keys minted for {@code nafFqdn} ({@code null}: for every Enabler, and the
   * device deletions themselves) after cursor {@code after}, oldest first, waiting up to {@code
   * wait} for one if there is none yet. With {@link #NOW}, answers at once with the current cursor
   * and nothing else.
   *
   * @throws RuntimeException if the Key Manager cannot be asked (the caller retries later)
   */
  Batch next(long after, String nafFqdn, Duration wait) throws InterruptedException;

  /**
   * One invalidated key ({@code btid} empty for an entry about the device itself), whose device and
   * Enabler it was ({@code nafFqdn} empty if not known) and why.
   */
  record Invalidation(String btid, String endpoint, String nafFqdn, String reason) {
    public Invalidation {
      Objects.requireNonNull(btid, "btid");
      Objects.requireNonNull(endpoint, "endpoint");
      Objects.requireNonNull(nafFqdn, "nafFqdn");
      Objects.requireNonNull(reason, "reason");
    }
  }

  /** Invalidations, and the cursor to ask after next. */
  record Batch(long cursor, List<Invalidation> invalidations) {
    public Batch {
      invalidations = List.copyOf(Objects.requireNonNull(invalidations, "invalidations"));
    }

    /** The B-TIDs of the invalidated keys. */
    public List<String> btids() {
      return invalidations.stream().map(Invalidation::btid).filter(b -> !b.isEmpty()).toList();
    }
  }
}
