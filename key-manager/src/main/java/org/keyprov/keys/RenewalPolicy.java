package org.keyprov.keys;

import java.time.Duration;
import java.time.Instant;

/**
 * When a key is due for renewal: once only {@code share} of its lifetime is left. The one rule
 * minting (a key is reused only while it is not due) and the DM server's renewal (the next version
 * is written when it is due) both follow. Default: the last tenth.
 */
public record RenewalPolicy(double share) {
  public static final RenewalPolicy DEFAULT = new RenewalPolicy(0.1);

  public RenewalPolicy {
    if (!(share > 0 && share < 1)) {
      throw new IllegalArgumentException(
          "the renewal share must be between 0 and 1 (exclusive), e.g. 0.1 for the last tenth of"
              + " a key's lifetime; got "
              + share);
    }
  }

  /** The moment a key of this lifetime expiring at {@code expiresAt} is due for renewal. */
  public Instant renewAt(Instant expiresAt, Duration lifetime) {
    long leftMs = Math.max(1, Math.round(lifetime.toMillis() * share));
    return expiresAt.minusMillis(leftMs);
  }

  /** Whether a key still has more than the renewal share of its lifetime left at {@code now}. */
  public boolean fresh(Instant now, Instant expiresAt, Duration lifetime) {
    return now.isBefore(renewAt(expiresAt, lifetime));
  }
}
