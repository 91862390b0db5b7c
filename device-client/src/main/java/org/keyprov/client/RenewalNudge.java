package org.keyprov.client;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.keyprov.client.object.EnablerSecurityState;
import org.keyprov.models.EnablerSecurityObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The device's half of key renewal. The DM server writes the next key before the current one
 * expires, but only to a device it knows is registered: after a DM server restart it learns that at
 * the device's next registration update, which may come after the key's expiry. So when a key from
 * the DM server has only a twelfth of its lifetime left (the server renews at a tenth by default)
 * and no successor has arrived, the device sends a registration update at once (re-registering if
 * the server lost it), and again every fiftieth of the lifetime (at least 30 s) until a new key
 * arrives or it expires.
 */
final class RenewalNudge {
  private static final Logger LOG = LoggerFactory.getLogger(RenewalNudge.class);

  private final String endpoint;
  private final Clock clock;
  private final ScheduledExecutorService scheduler;
  private final Runnable update;
  private final Map<String, Pending> pending = new ConcurrentHashMap<>();

  private record Pending(String identity, ScheduledFuture<?> next) {}

  RenewalNudge(String endpoint, Clock clock, ScheduledExecutorService scheduler, Runnable update) {
    this.endpoint = endpoint;
    this.clock = clock;
    this.scheduler = scheduler;
    this.update = update;
  }

  /** Hears every change of the device's parameters. */
  void changed(EnablerSecurityState state) {
    if (state.nafFqdn().isEmpty() || state.source() != EnablerSecurityObject.SOURCE_DM_SERVER) {
      return;
    }
    String identity = state.hasKey() ? state.pskIdentity() : null;
    Pending before = pending.get(state.nafFqdn());
    if (before != null && before.identity().equals(identity)) {
      return; // the same key (a connection result changed)
    }
    if (before != null) {
      before.next().cancel(false);
      pending.remove(state.nafFqdn());
    }
    if (identity == null) {
      return;
    }
    Instant now = clock.instant();
    Duration left = Duration.between(now, state.keyExpiry());
    if (left.isNegative() || left.isZero()) {
      return;
    }
    Duration first = left.minus(left.dividedBy(12));
    // never more often than an update, a reconnection and a re-registration take: a nudge
    // cancels the update under way, so nudging faster keeps the device from ever re-registering
    Duration every = max(Duration.ofSeconds(30), left.dividedBy(50));
    schedule(state.nafFqdn(), identity, state.keyExpiry(), first, every);
  }

  private void schedule(
      String fqdn, String identity, Instant expiry, Duration delay, Duration every) {
    try {
      ScheduledFuture<?> next =
          scheduler.schedule(
              () -> nudge(fqdn, identity, expiry, every), delay.toMillis(), TimeUnit.MILLISECONDS);
      pending.put(fqdn, new Pending(identity, next));
    } catch (RejectedExecutionException closing) {
      // the client is stopping
    }
  }

  private void nudge(String fqdn, String identity, Instant expiry, Duration every) {
    Pending current = pending.get(fqdn);
    if (current == null || !current.identity().equals(identity)) {
      return; // renewed meanwhile
    }
    if (!clock.instant().isBefore(expiry)) {
      pending.remove(fqdn, current);
      return;
    }
    LOG.info(
        "{}: the key for Enabler {} expires at {} and no successor has arrived; asking the DM"
            + " server with a registration update",
        endpoint,
        fqdn,
        expiry);
    update.run();
    schedule(fqdn, identity, expiry, every, every);
  }

  void close() {
    pending.values().forEach(p -> p.next().cancel(false));
    pending.clear();
  }

  private static Duration max(Duration a, Duration b) {
    return a.compareTo(b) >= 0 ? a : b;
  }
}
