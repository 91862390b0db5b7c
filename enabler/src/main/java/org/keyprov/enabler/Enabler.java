package org.keyprov.enabler;

import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.keyprov.enabler.lookup.HandshakeListener;
import org.keyprov.enabler.lookup.KeyCache;
import org.keyprov.enabler.lookup.KeyResolver;
import org.keyprov.enabler.transport.CoapsEndpoint;
import org.keyprov.enabler.transport.TlsPskEndpoint;
import org.keyprov.keys.InvalidationFeed;
import org.keyprov.keys.InvalidationFollower;
import org.keyprov.keys.LookupResult.Refusal;
import org.keyprov.keys.PskLookup;
import org.keyprov.keys.gba.NafId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A reference Enabler (NAF): DTLS-PSK (CoAPs) and PSK-TLS (TCP) endpoints whose keys come from the
 * Key Manager at handshake time, through a bounded key cache. The PSK identity is the device's
 * B-TID (optionally {@code 3GPP-bootstrapping.}-prefixed); the Enabler asks for it with its own
 * NAF_Id and continues the handshake with the answer. Unknown, expired, revoked and other-NAF
 * identities fail the handshake.
 */
public final class Enabler implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Enabler.class);

  private final NafId nafId;
  private final ExecutorService lookups;
  private final CoapsEndpoint coaps;
  private final TlsPskEndpoint tls;
  private final KeyCache cache;
  private final InvalidationFollower invalidations;
  private volatile boolean running;

  private Enabler(Builder b) {
    this.nafId = b.nafId;
    AtomicInteger n = new AtomicInteger();
    this.lookups =
        Executors.newFixedThreadPool(
            b.lookupThreads,
            r -> {
              Thread t = new Thread(r, "keyprov-enabler-lookup-" + n.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    List<HandshakeListener> listeners = new CopyOnWriteArrayList<>(b.listeners);
    listeners.add(new Logging(nafId));
    if (b.meters != null) {
      listeners.add(new EnablerMeters(b.meters, nafId.fqdn()));
    }
    HandshakeListener fanOut = new FanOut(listeners);
    PskLookup lookup = b.lookup;
    if (!b.cacheTtl.isZero() && !b.cacheTtl.isNegative()) {
      this.cache =
          new KeyCache(
              b.lookup,
              b.cacheSize,
              b.cacheTtl,
              b.cacheJitter,
              b.clock,
              () -> java.util.concurrent.ThreadLocalRandom.current().nextDouble());
      lookup = cache;
    } else {
      this.cache = null;
    }
    if (cache != null && b.meters != null) {
      EnablerMeters.cache(b.meters, nafId.fqdn(), cache);
    }
    this.invalidations =
        cache == null || b.invalidations == null
            ? null
            : new InvalidationFollower(
                b.invalidations,
                nafId.fqdn(),
                nafId.fqdn(),
                // anything cached before the feed's position was known may be stale
                cache::clear,
                batch -> {
                  for (String btid : batch.btids()) {
                    cache.invalidate(btid);
                    LOG.info(
                        "{}: key {} invalidated at the Key Manager; dropped from the cache",
                        nafId.fqdn(),
                        btid);
                  }
                });
    KeyResolver resolver = new KeyResolver(lookup, nafId, lookups, b.lookupTimeout, fanOut);
    this.coaps =
        b.coapsAddress == null
            ? null
            : new CoapsEndpoint(b.coapsAddress, resolver, lookups, b.dtlsHandshakesPerSecond);
    try {
      this.tls =
          b.tlsAddress == null
              ? null
              : new TlsPskEndpoint(b.tlsAddress, resolver, b.maxTlsConnections);
    } catch (java.io.IOException e) {
      if (coaps != null) {
        coaps.close();
      }
      lookups.shutdownNow();
      throw new java.io.UncheckedIOException(
          "cannot listen for TLS on " + b.tlsAddress + ": " + e.getMessage(), e);
    }
  }

  public static Builder builder() {
    return new Builder();
  }

  public void start() {
    if (invalidations != null) {
      invalidations.start();
    }
    if (coaps != null) {
      coaps.start();
    }
    if (tls != null) {
      tls.start();
    }
    running = true;
  }

  /** Whether the Enabler has started and not closed: its endpoints are bound. */
  public boolean running() {
    return running;
  }

  public NafId nafId() {
    return nafId;
  }

  /** {@code coaps://host:port} of the DTLS endpoint, with the actual port once started. */
  public URI coapsUri() {
    if (coaps == null) {
      throw new IllegalStateException("this Enabler has no DTLS endpoint");
    }
    return uri("coaps", coaps.address());
  }

  /** {@code tls://host:port} of the PSK-TLS endpoint. */
  public URI tlsUri() {
    if (tls == null) {
      throw new IllegalStateException("this Enabler has no TLS endpoint");
    }
    return uri("tls", tls.address());
  }

  /** Key cache hits and misses since start; both 0 when the cache is off. */
  public long[] cacheHitsAndMisses() {
    return cache == null ? new long[2] : new long[] {cache.hits(), cache.misses()};
  }

  private static URI uri(String scheme, InetSocketAddress a) {
    try {
      return new URI(scheme, null, a.getAddress().getHostAddress(), a.getPort(), null, null, null);
    } catch (java.net.URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    running = false;
    if (invalidations != null) {
      invalidations.close();
    }
    if (coaps != null) {
      coaps.close();
    }
    if (tls != null) {
      tls.close();
    }
    lookups.shutdownNow();
  }

  private record Logging(NafId nafId) implements HandshakeListener {
    @Override
    public void keyGranted(String pskIdentity, String endpoint, int keyVersion) {
      LOG.debug(
          "{}: key for {} (device {}, version {}) granted",
          nafId.fqdn(),
          pskIdentity,
          endpoint,
          keyVersion);
    }

    @Override
    public void keyRefused(String pskIdentity, Refusal reason, String message) {
      LOG.warn("{}: handshake of {} refused: {} ({})", nafId.fqdn(), pskIdentity, reason, message);
    }

    @Override
    public void lookupFailed(String pskIdentity, String reason) {
      LOG.warn("{}: handshake of {} failed: {}", nafId.fqdn(), pskIdentity, reason);
    }

    @Override
    public void handshakeFailed(String pskIdentity, String reason) {
      LOG.warn(
          "{}: handshake of {} failed after its key was granted: the device's key does not match"
              + " ({})",
          nafId.fqdn(),
          pskIdentity,
          reason);
    }
  }

  private record FanOut(List<HandshakeListener> listeners) implements HandshakeListener {
    @Override
    public void keyGranted(String pskIdentity, String endpoint, int keyVersion) {
      listeners.forEach(l -> l.keyGranted(pskIdentity, endpoint, keyVersion));
    }

    @Override
    public void keyRefused(String pskIdentity, Refusal reason, String message) {
      listeners.forEach(l -> l.keyRefused(pskIdentity, reason, message));
    }

    @Override
    public void lookupFailed(String pskIdentity, String reason) {
      listeners.forEach(l -> l.lookupFailed(pskIdentity, reason));
    }

    @Override
    public void handshakeFailed(String pskIdentity, String reason) {
      listeners.forEach(l -> l.handshakeFailed(pskIdentity, reason));
    }
  }

  public static final class Builder {
    private NafId nafId;
    private PskLookup lookup;
    private InetSocketAddress coapsAddress = new InetSocketAddress(5784);
    private InetSocketAddress tlsAddress;
    private int maxTlsConnections = 256;
    private int dtlsHandshakesPerSecond = 5_000;
    private Duration cacheTtl = Duration.ofSeconds(30);
    private double cacheJitter = KeyCache.JITTER;
    private int cacheSize = 100_000;
    private java.time.Clock clock = java.time.Clock.systemUTC();
    private Duration lookupTimeout = Duration.ofSeconds(3);
    private int lookupThreads = 8;
    private InvalidationFeed invalidations;
    private final List<HandshakeListener> listeners = new CopyOnWriteArrayList<>();
    private io.micrometer.core.instrument.MeterRegistry meters;

    private Builder() {}

    /** Required: this Enabler's NAF_Id (FQDN and Ua security protocol id). */
    public Builder nafId(NafId nafId) {
      this.nafId = nafId;
      return this;
    }

    /** Required: how keys are looked up (in-process Key Manager or the remote API). */
    public Builder lookup(PskLookup lookup) {
      this.lookup = lookup;
      return this;
    }

    /** The DTLS-PSK (CoAPs) address; {@code null} for none. Default: all interfaces, port 5784. */
    public Builder coapsAddress(InetSocketAddress address) {
      this.coapsAddress = address;
      return this;
    }

    /** The PSK-TLS (TCP) address; {@code null} (the default) for none. */
    public Builder tlsAddress(InetSocketAddress address) {
      this.tlsAddress = address;
      return this;
    }

    /**
     * New DTLS sessions per second this Enabler accepts, sustained; beyond it Scandium drops new
     * handshakes. Scandium holds each handshake of the last ~140 s in its connection table, so this
     * sizes that table ({@code CoapsEndpoint.maxConnectionsFor}: 150 s × the rate). Default
     * 5,000/s, above the full-handshake capacity measured on 2 cores (~3,500–4,800/s), so a
     * reconnect storm meets the CPU limit first.
     */
    public Builder dtlsHandshakesPerSecond(int perSecond) {
      CoapsEndpoint.maxConnectionsFor(perSecond); // fails early on a bad value
      this.dtlsHandshakesPerSecond = perSecond;
      return this;
    }

    /** Concurrent TLS connections. Default: 256. */
    public Builder maxTlsConnections(int max) {
      this.maxTlsConnections = max;
      return this;
    }

    /**
     * How long a granted key is reused without asking the Key Manager: also the longest a revoked
     * key keeps working here while the {@link #invalidations} feed is down (or not given). {@link
     * Duration#ZERO} turns the cache off. Default: 30 s.
     */
    public Builder cacheTtl(Duration ttl) {
      this.cacheTtl = ttl;
      return this;
    }

    /**
     * Share of the TTL by which each cached key's life is shortened at random, so keys cached in
     * one burst do not all go back to the Key Manager at once; 0 for none. Default: 0.25.
     */
    public Builder cacheJitter(double share) {
      if (!(share >= 0 && share < 1)) {
        throw new IllegalArgumentException("cache jitter must be in [0, 1), not " + share);
      }
      this.cacheJitter = share;
      return this;
    }

    /** Most keys cached. Default: 100,000. */
    public Builder cacheSize(int size) {
      this.cacheSize = size;
      return this;
    }

    public Builder clock(java.time.Clock clock) {
      this.clock = clock;
      return this;
    }

    /** How long a handshake waits for the Key Manager. Default: 3 s. */
    public Builder lookupTimeout(Duration timeout) {
      this.lookupTimeout = timeout;
      return this;
    }

    /**
     * The Key Manager's invalidation feed: cached keys it names are dropped at once. Default: none
     * (a revoked key keeps working until its cache entry's TTL runs out).
     */
    public Builder invalidations(InvalidationFeed feed) {
      this.invalidations = feed;
      return this;
    }

    /** Threads that wait on the Key Manager. Default: 8. */
    public Builder lookupThreads(int threads) {
      this.lookupThreads = threads;
      return this;
    }

    /**
     * Where the Enabler's meters go ({@code keyprov.enabler.handshakes} by result). Default:
     * nowhere.
     */
    public Builder meters(io.micrometer.core.instrument.MeterRegistry registry) {
      this.meters = Objects.requireNonNull(registry, "registry");
      return this;
    }

    public Builder listener(HandshakeListener listener) {
      this.listeners.add(Objects.requireNonNull(listener, "listener"));
      return this;
    }

    public Enabler build() {
      Objects.requireNonNull(nafId, "nafId");
      Objects.requireNonNull(lookup, "lookup");
      if (coapsAddress == null && tlsAddress == null) {
        throw new IllegalArgumentException("an Enabler needs a DTLS or a TLS address, or both");
      }
      if (cacheTtl.isNegative() || cacheSize < 1) {
        throw new IllegalArgumentException("cache TTL must be >= 0 and size >= 1");
      }
      if (lookupTimeout.isNegative() || lookupTimeout.isZero()) {
        throw new IllegalArgumentException("lookup timeout must be positive");
      }
      if (lookupThreads < 1) {
        throw new IllegalArgumentException("need at least one lookup thread");
      }
      return new Enabler(this);
    }
  }
}
