package org.keyprov.client;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.keyprov.client.object.EnablerSecurityState;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a device connected to each Enabler it holds parameters for, unattended: connects when
 * parameters arrive or change (a renewed key is used for the very next connection), retries a
 * failed connection with bounded exponential backoff, and optionally connects again every {@code
 * interval} (a device that talks to its Enabler periodically).
 *
 * <pre>{@code
 * try (EnablerSessions sessions = EnablerSessions.builder(device)
 *     .listener((fqdn, version, result) -> ...).build()) {
 *   sessions.start();
 * }
 * }</pre>
 *
 * <p>Connections run on the given scheduler (or a thread of its own); listeners are called there.
 */
public final class EnablerSessions implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(EnablerSessions.class);

  /** Hears every connection attempt. Must return quickly and not throw. */
  @FunctionalInterface
  public interface Listener {
    void attempted(String nafFqdn, int keyVersion, ConnectionResult result);
  }

  /** Where one Enabler's connection stands; touched only under its own lock. */
  private static final class Link {
    String connectedIdentity;
    String heldIdentity;
    int failures;
    ScheduledFuture<?> next;
  }

  private final DeviceClient device;
  private final ScheduledExecutorService scheduler;
  private final boolean ownScheduler;
  private final Duration retryInitial;
  private final Duration retryMax;
  private final Duration interval;
  private final Listener listener;
  private final Map<String, Link> links = new ConcurrentHashMap<>();
  private volatile boolean closed;

  private EnablerSessions(Builder b) {
    this.device = b.device;
    this.ownScheduler = b.scheduler == null;
    this.scheduler =
        b.scheduler != null
            ? b.scheduler
            : Executors.newSingleThreadScheduledExecutor(
                r -> {
                  Thread t = new Thread(r, "keyprov-enabler-sessions-" + b.device.endpoint());
                  t.setDaemon(true);
                  return t;
                });
    this.retryInitial = b.retryInitial;
    this.retryMax = b.retryMax;
    this.interval = b.interval;
    this.listener = b.listener;
  }

  public static Builder builder(DeviceClient device) {
    return new Builder(device);
  }

  /** Connects to every Enabler held now, and from then on as parameters change. */
  public void start() {
    device.onParametersChanged(this::changed);
    for (EnablerSecurityState state : device.enablerParameters()) {
      changed(state);
    }
  }

  private void changed(EnablerSecurityState state) {
    if (closed || state.nafFqdn().isEmpty()) {
      return;
    }
    Link link =
        links.computeIfAbsent(state.nafFqdn().toLowerCase(java.util.Locale.ROOT), k -> new Link());
    synchronized (link) {
      String identity = state.hasKey() ? state.pskIdentity() : null;
      if (Objects.equals(identity, link.heldIdentity)) {
        return; // only the connection result changed, or the same key again
      }
      link.heldIdentity = identity;
      link.failures = 0;
      if (identity == null) {
        cancel(link); // invalidated: nothing to connect with until a new key arrives
        return;
      }
      schedule(state.nafFqdn(), link, Duration.ZERO);
    }
  }

  private void attempt(String nafFqdn, Link link) {
    if (closed) {
      return;
    }
    ConnectionResult result = device.connector().connect(nafFqdn);
    int version =
        device.enablerParameters().stream()
            .filter(s -> s.nafFqdn().equalsIgnoreCase(nafFqdn))
            .mapToInt(EnablerSecurityState::keyVersion)
            .findFirst()
            .orElse(0);
    try {
      listener.attempted(nafFqdn, version, result);
    } catch (RuntimeException e) {
      LOG.warn("connection listener failed: {}", e.toString());
    }
    synchronized (link) {
      if (result.success()) {
        link.failures = 0;
        link.connectedIdentity = link.heldIdentity;
        if (interval != null) {
          schedule(nafFqdn, link, interval);
        }
      } else {
        link.failures++;
        Duration delay = retryDelay(link.failures);
        LOG.info(
            "{}: connection to Enabler {} failed ({}); retry {} in {}",
            device.endpoint(),
            nafFqdn,
            result.detail(),
            link.failures,
            delay);
        schedule(nafFqdn, link, delay);
      }
    }
  }

  /** {@code initial × 2^(failures-1)} capped at the maximum, less up to a fifth at random. */
  private Duration retryDelay(int failures) {
    long ms = retryInitial.toMillis() << Math.min(failures - 1, 20);
    ms = Math.min(ms, retryMax.toMillis());
    return Duration.ofMillis(ms - ThreadLocalRandom.current().nextLong(ms / 5 + 1));
  }

  private void schedule(String nafFqdn, Link link, Duration delay) {
    cancel(link);
    try {
      link.next =
          scheduler.schedule(() -> attempt(nafFqdn, link), delay.toMillis(), TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException stopping) {
      // closing
    }
  }

  private static void cancel(Link link) {
    if (link.next != null) {
      link.next.cancel(false);
      link.next = null;
    }
  }

  /** Whether the last connection to this Enabler succeeded with the key the device holds now. */
  public boolean connected(String nafFqdn) {
    Link link = links.get(nafFqdn.toLowerCase(java.util.Locale.ROOT));
    if (link == null) {
      return false;
    }
    synchronized (link) {
      return link.heldIdentity != null && link.heldIdentity.equals(link.connectedIdentity);
    }
  }

  @Override
  public void close() {
    closed = true;
    for (Link link : links.values()) {
      synchronized (link) {
        cancel(link);
      }
    }
    if (ownScheduler) {
      scheduler.shutdownNow();
    }
  }

  public static final class Builder {
    private final DeviceClient device;
    private ScheduledExecutorService scheduler;
    private Duration retryInitial = Duration.ofSeconds(1);
    private Duration retryMax = Duration.ofMinutes(1);
    private Duration interval;
    private Listener listener = (fqdn, version, result) -> {};

    private Builder(DeviceClient device) {
      this.device = Objects.requireNonNull(device, "device");
    }

    /** Runs connections here (not owned: not shut down on close). Default: a thread of its own. */
    public Builder scheduler(ScheduledExecutorService scheduler) {
      this.scheduler = scheduler;
      return this;
    }

    /** Retry delays after failed connections. Default: 1 s doubling up to 1 min. */
    public Builder retry(Duration initial, Duration max) {
      this.retryInitial = initial;
      this.retryMax = max;
      return this;
    }

    /**
     * Connect again this long after each successful connection. Default: none (connect once per
     * key, again only when the parameters change).
     */
    public Builder interval(Duration interval) {
      this.interval = interval;
      return this;
    }

    public Builder listener(Listener listener) {
      this.listener = Objects.requireNonNull(listener, "listener");
      return this;
    }

    public EnablerSessions build() {
      Objects.requireNonNull(retryInitial, "retry initial");
      Objects.requireNonNull(retryMax, "retry max");
      if (retryInitial.isNegative()
          || retryInitial.isZero()
          || retryMax.compareTo(retryInitial) < 0) {
        throw new IllegalArgumentException(
            "retry needs 0 < initial <= max, got " + retryInitial + " and " + retryMax);
      }
      if (interval != null && (interval.isNegative() || interval.isZero())) {
        throw new IllegalArgumentException("the connection interval must be positive");
      }
      return new EnablerSessions(this);
    }
  }
}
