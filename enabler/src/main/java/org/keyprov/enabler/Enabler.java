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
import org.keyprov.enabler.transport.CoapsEndpoint;
import org.keyprov.enabler.transport.KeyManagerPskStore;
import org.keyprov.keys.LookupResult.Refusal;
import org.keyprov.keys.PskLookup;
import org.keyprov.keys.gba.NafId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A reference Enabler (NAF): a DTLS-PSK (CoAPs) endpoint whose keys come from the Key Manager at
 * handshake time. The PSK identity is the device's B-TID (optionally {@code
 * 3GPP-bootstrapping.}-prefixed); the Enabler asks for it with its own NAF_Id and continues the
 * handshake with the answer. Unknown, expired, revoked and other-NAF identities fail the handshake.
 */
public final class Enabler implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Enabler.class);

  private final NafId nafId;
  private final ExecutorService lookups;
  private final CoapsEndpoint coaps;

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
    HandshakeListener fanOut = new FanOut(listeners);
    this.coaps =
        new CoapsEndpoint(
            b.coapsAddress,
            new KeyManagerPskStore(b.lookup, nafId, lookups, b.lookupTimeout, fanOut));
  }

  public static Builder builder() {
    return new Builder();
  }

  public void start() {
    coaps.start();
  }

  public NafId nafId() {
    return nafId;
  }

  /** {@code coaps://host:port} of the DTLS endpoint, with the actual port once started. */
  public URI coapsUri() {
    InetSocketAddress a = coaps.address();
    try {
      return new URI("coaps", null, a.getAddress().getHostAddress(), a.getPort(), null, null, null);
    } catch (java.net.URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    coaps.close();
    lookups.shutdownNow();
  }

  private record Logging(NafId nafId) implements HandshakeListener {
    @Override
    public void keyGranted(String pskIdentity, String endpoint, int keyVersion) {
      LOG.info(
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
  }

  public static final class Builder {
    private NafId nafId;
    private PskLookup lookup;
    private InetSocketAddress coapsAddress = new InetSocketAddress(5784);
    private Duration lookupTimeout = Duration.ofSeconds(3);
    private int lookupThreads = 8;
    private final List<HandshakeListener> listeners = new CopyOnWriteArrayList<>();

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

    /** Default: all interfaces, port 5784. */
    public Builder coapsAddress(InetSocketAddress address) {
      this.coapsAddress = address;
      return this;
    }

    /** How long a handshake waits for the Key Manager. Default: 3 s. */
    public Builder lookupTimeout(Duration timeout) {
      this.lookupTimeout = timeout;
      return this;
    }

    /** Threads that wait on the Key Manager. Default: 8. */
    public Builder lookupThreads(int threads) {
      this.lookupThreads = threads;
      return this;
    }

    public Builder listener(HandshakeListener listener) {
      this.listeners.add(Objects.requireNonNull(listener, "listener"));
      return this;
    }

    public Enabler build() {
      Objects.requireNonNull(nafId, "nafId");
      Objects.requireNonNull(lookup, "lookup");
      Objects.requireNonNull(coapsAddress, "coapsAddress");
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
