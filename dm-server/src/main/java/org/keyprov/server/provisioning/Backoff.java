package org.keyprov.server.provisioning;

import java.time.Duration;

/** Exponential retry delay: {@code initial × 2^(attempt-1)}, capped at {@code max}. Pure. */
public record Backoff(Duration initial, Duration max) {
  public Backoff {
    if (initial.isNegative() || initial.isZero() || max.compareTo(initial) < 0) {
      throw new IllegalArgumentException(
          "backoff needs 0 < initial <= max, got initial " + initial + ", max " + max);
    }
  }

  /** The delay before attempt number {@code attempt + 1}, after {@code attempt} failures (≥ 1). */
  public Duration delayAfter(int attempt) {
    int doublings = Math.max(0, Math.min(attempt - 1, 30));
    Duration delay = initial.multipliedBy(1L << doublings);
    return delay.compareTo(max) > 0 ? max : delay;
  }
}
