package org.keyprov.server.bootstrap;

import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import org.eclipse.leshan.core.endpoint.Protocol;
import org.eclipse.leshan.core.peer.IpPeer;
import org.eclipse.leshan.core.peer.LwM2mPeer;
import org.eclipse.leshan.core.request.BootstrapRequest;
import org.eclipse.leshan.server.bootstrap.BootstrapFailureCause;
import org.eclipse.leshan.server.bootstrap.BootstrapSession;
import org.eclipse.leshan.server.bootstrap.BootstrapSessionAdapter;
import org.eclipse.leshan.server.bootstrap.LeshanBootstrapServer;
import org.eclipse.leshan.server.bootstrap.LeshanBootstrapServerBuilder;
import org.keyprov.keys.AuditLog;
import org.keyprov.keys.BootstrapCredentials;
import org.keyprov.keys.ThrottledAudit;
import org.keyprov.server.transport.BootstrapEndpoints;

/**
 * The Key Manager's LwM2M bootstrap server (Leshan's): a device that arrives with its factory
 * bootstrap credential only bootstraps here over CoAPs (DTLS-PSK) and is given the DM server
 * account — the DM server's URI and a DM PSK minted for it, which nobody types or sees. The DM
 * server accepts that DM PSK at once, beside the device's earlier one until the device registers
 * with it. Every bootstrap, refusal and failure is audited.
 *
 * <pre>{@code
 * try (BootstrapServer bs = BootstrapServer.builder()
 *     .credentials(km.bootstrapCredentials()).audit(km.audit())
 *     .coapsAddress(new InetSocketAddress("127.0.0.1", 5784))
 *     .dmServer(dm.coapsUri()).build()) {
 *   bs.start();
 * }
 * }</pre>
 */
public final class BootstrapServer implements AutoCloseable {
  private static final org.slf4j.Logger LOG =
      org.slf4j.LoggerFactory.getLogger(BootstrapServer.class);

  private final LeshanBootstrapServer leshan;
  private final DmAccountConfigs configs;
  private final BootstrapCredentials credentials;
  private final Duration rotateAfter;
  private java.util.concurrent.ScheduledExecutorService policy;
  private volatile boolean running;

  /** How often the rotation policy looks for DM PSKs due, and how many it asks for at a time. */
  private static final Duration POLICY_EVERY = Duration.ofMinutes(10);

  private static final int POLICY_BATCH = 1000;

  private BootstrapServer(Builder b) {
    ThrottledAudit refusals =
        new ThrottledAudit(
            b.audit, b.clock, 60, "bootstrap-server", "bootstrap.refusals.suppressed");
    this.configs =
        new DmAccountConfigs(
            b.credentials,
            b.dmServer,
            () -> b.publicUri != null ? b.publicUri : coapsUri(),
            b.lifetime);
    this.credentials = b.credentials;
    this.rotateAfter = b.rotateAfter;
    LeshanBootstrapServerBuilder builder = new LeshanBootstrapServerBuilder();
    KeyManagerBootstrapStore store = new KeyManagerBootstrapStore(b.credentials, refusals);
    builder.setSecurityStore(store);
    builder.setTaskProvider(new AccessControlTasks(configs));
    builder.setObjectModelProvider(
        new org.eclipse.leshan.server.model.VersionedBootstrapModelProvider(
            org.keyprov.models.KeyprovModels.loadWithDefaults()));
    if (b.admin != null) {
      configs.provisioning(new DmAccountConfigs.Provisioning(b.admin, b.ledger));
    }

    builder.setEndpointsProviders(
        BootstrapEndpoints.californium(
            b.coapsAddress,
            (identity, reason) -> refusals.record("bootstrap.refused", identity, reason)));
    this.leshan = builder.build();
    leshan.addListener(new Outcomes(b.credentials, b.ledger, store, refusals, configs, b.dmServer));
    leshan.addListener(new Counted(b.meters));
  }

  public static Builder builder() {
    return new Builder();
  }

  public void start() {
    leshan.start();
    running = true;
    LOG.info("Bootstrap server at {}", coapsUri());
    if (rotateAfter != null) {
      policy =
          java.util.concurrent.Executors.newSingleThreadScheduledExecutor(
              r -> {
                Thread t = new Thread(r, "keyprov-dm-rotation-policy");
                t.setDaemon(true);
                return t;
              });
      policy.scheduleWithFixedDelay(
          this::applyPolicy, 0, POLICY_EVERY.toSeconds(), java.util.concurrent.TimeUnit.SECONDS);
    }
  }

  /** Asks for the rotation of every DM PSK older than the policy allows, a batch at a time. */
  private void applyPolicy() {
    try {
      int asked;
      do {
        asked = credentials.requestRotations(rotateAfter, POLICY_BATCH);
        if (asked > 0) {
          LOG.info(
              "DM PSK rotation policy: {} device(s) older than {} asked to rotate",
              asked,
              rotateAfter);
        }
      } while (asked == POLICY_BATCH && running);
    } catch (RuntimeException e) {
      LOG.warn("DM PSK rotation policy: {}", e.getMessage());
    }
  }

  public boolean running() {
    return running;
  }

  /** The {@code coaps://host:port} devices bootstrap at (the bound port once started). */
  public URI coapsUri() {
    return leshan.getEndpoint(Protocol.COAPS).getURI();
  }

  @Override
  public void close() {
    running = false;
    if (policy != null) {
      policy.shutdownNow();
    }
    leshan.destroy();
  }

  /** Audits what each session came to, and records a finished bootstrap on the device. */
  private static final class Outcomes extends BootstrapSessionAdapter {
    private final BootstrapCredentials credentials;
    private final org.keyprov.keys.ProvisioningLedger ledger;
    private final KeyManagerBootstrapStore store;
    private final ThrottledAudit refusals;
    private final DmAccountConfigs configs;
    private final URI dmServer;

    Outcomes(
        BootstrapCredentials credentials,
        org.keyprov.keys.ProvisioningLedger ledger,
        KeyManagerBootstrapStore store,
        ThrottledAudit refusals,
        DmAccountConfigs configs,
        URI dmServer) {
      this.credentials = credentials;
      this.ledger = ledger;
      this.store = store;
      this.refusals = refusals;
      this.configs = configs;
      this.dmServer = dmServer;
    }

    @Override
    public void unAuthorized(BootstrapRequest request, LwM2mPeer client) {
      refusals.record(
          "bootstrap.refused",
          org.keyprov.server.security.Printable.of(request.getEndpointName()),
          "Bootstrap-Request from "
              + address(client)
              + " with a credential that is not this endpoint's factory bootstrap credential"
              + " (or an endpoint the Key Manager does not know)");
    }

    /** A session over a new factory credential: it becomes the device's only one. */
    @Override
    public void authorized(BootstrapSession session) {
      if (session.getClientTransportData().getIdentity()
              instanceof org.eclipse.leshan.core.peer.PskIdentity psk
          && store.usedPending(psk.getPskIdentity())) {
        try {
          credentials.confirmBootstrap(session.getEndpoint(), psk.getPskIdentity());
          LOG.info(
              "{} bootstrapped with its new factory credential; the old one is retired",
              session.getEndpoint());
        } catch (RuntimeException e) {
          LOG.warn(
              "{}: could not retire the old factory credential yet: {}",
              session.getEndpoint(),
              e.getMessage());
        }
      }
    }

    @Override
    public void end(BootstrapSession session) {
      DmAccountConfigs.Minted minted = configs.forget(session);
      String identity = minted == null ? "?" : minted.dmPskIdentity();
      LOG.info(
          "Bootstrapped {} from {}: DM server {}, DM PSK identity {}",
          session.getEndpoint(),
          address(session.getClientTransportData()),
          dmServer,
          identity);
      java.util.List<org.keyprov.keys.EnablerParameters> enablers =
          minted == null ? java.util.List.of() : minted.enablers();
      try {
        for (org.keyprov.keys.EnablerParameters p : enablers) {
          ledger.provisioned(
              session.getEndpoint(),
              p.enabler().fqdn(),
              p.keyVersion(),
              p.expiresAt(),
              p.renewAt());
        }
        credentials.bootstrapped(
            session.getEndpoint(),
            "wrote the DM server account "
                + dmServer
                + " with DM PSK identity "
                + identity
                + (enablers.isEmpty()
                    ? ""
                    : " and the parameters of "
                        + enablers.stream()
                            .map(p -> p.enabler().fqdn() + " (key version " + p.keyVersion() + ")")
                            .collect(java.util.stream.Collectors.joining(", ")))
                + " (from "
                + address(session.getClientTransportData())
                + ")");
      } catch (RuntimeException e) {
        LOG.warn("Could not record the bootstrap of {}: {}", session.getEndpoint(), e.toString());
      }
    }

    @Override
    public void failed(BootstrapSession session, BootstrapFailureCause cause) {
      configs.forget(session);
      if (cause == BootstrapFailureCause.UNAUTHORIZED) {
        return; // audited by unAuthorized
      }
      LOG.warn("Bootstrap of {} failed: {}", session.getEndpoint(), cause);
      refusals.record(
          "bootstrap.failed",
          org.keyprov.server.security.Printable.of(session.getEndpoint()),
          "bootstrap session ended without Bootstrap-Finish: "
              + cause.name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ')
              + "; the device keeps its earlier DM PSK");
    }

    private static Object address(LwM2mPeer peer) {
      return peer instanceof IpPeer ip ? ip.getSocketAddress() : peer;
    }
  }

  /** {@code keyprov.bootstraps} by outcome: finished, refused (not authorized), failed. */
  private static final class Counted extends BootstrapSessionAdapter {
    private final io.micrometer.core.instrument.Counter finished;
    private final io.micrometer.core.instrument.Counter refused;
    private final io.micrometer.core.instrument.Counter failed;

    Counted(io.micrometer.core.instrument.MeterRegistry registry) {
      finished = counter(registry, "finished");
      refused = counter(registry, "refused");
      failed = counter(registry, "failed");
    }

    private static io.micrometer.core.instrument.Counter counter(
        io.micrometer.core.instrument.MeterRegistry registry, String outcome) {
      return io.micrometer.core.instrument.Counter.builder("keyprov.bootstraps")
          .description("LwM2M bootstrap sessions by outcome")
          .tag("outcome", outcome)
          .register(registry);
    }

    @Override
    public void unAuthorized(BootstrapRequest request, LwM2mPeer client) {
      refused.increment();
    }

    @Override
    public void end(BootstrapSession session) {
      finished.increment();
    }

    @Override
    public void failed(BootstrapSession session, BootstrapFailureCause cause) {
      if (cause != BootstrapFailureCause.UNAUTHORIZED) {
        failed.increment();
      }
    }
  }

  public static final class Builder {
    private BootstrapCredentials credentials;
    private AuditLog audit;
    private Clock clock = Clock.systemUTC();
    private InetSocketAddress coapsAddress;
    private URI dmServer;
    private Duration lifetime = Duration.ofMinutes(5);
    private Duration rotateAfter;
    private URI publicUri;
    private org.keyprov.keys.CredentialAdmin admin;
    private org.keyprov.keys.ProvisioningLedger ledger;

    /**
     * Writes the parameters of the Enablers marked "at bootstrap" ({@link
     * org.keyprov.keys.EnablerProfile#atBootstrap}) at a device's first bootstrap (one that finds
     * no Enabler Security Parameters on it), minted by {@code admin} and recorded in {@code
     * ledger}. Default: none (the DM server provisions every Enabler after registration).
     */
    public Builder provisioning(
        org.keyprov.keys.CredentialAdmin admin, org.keyprov.keys.ProvisioningLedger ledger) {
      this.admin = Objects.requireNonNull(admin, "admin");
      this.ledger = Objects.requireNonNull(ledger, "ledger");
      return this;
    }

    private io.micrometer.core.instrument.MeterRegistry meters =
        new io.micrometer.core.instrument.composite.CompositeMeterRegistry();

    /** Where {@code keyprov.bootstraps} (by outcome) is counted. Default: nowhere. */
    public Builder meters(io.micrometer.core.instrument.MeterRegistry registry) {
      this.meters = Objects.requireNonNull(registry, "registry");
      return this;
    }

    private Builder() {}

    /**
     * This bootstrap server as devices reach it, written to them with a new factory credential.
     * Default: the address it listens on.
     */
    public Builder publicUri(URI uri) {
      this.publicUri = uri;
      return this;
    }

    /**
     * The rotation policy: DM PSKs of devices with a factory credential are rotated once they are
     * this old (checked every 10 minutes). Default: none (rotated when the operator asks).
     */
    public Builder rotateDmPskAfter(Duration age) {
      this.rotateAfter = age;
      return this;
    }

    /** Required: factory credentials, and where DM PSKs are minted. */
    public Builder credentials(BootstrapCredentials credentials) {
      this.credentials = credentials;
      return this;
    }

    /** Required: where refusals and failures are audited. */
    public Builder audit(AuditLog audit) {
      this.audit = audit;
      return this;
    }

    public Builder clock(Clock clock) {
      this.clock = clock;
      return this;
    }

    /** Required: where CoAPs (DTLS-PSK) listens; port 0 for any. */
    public Builder coapsAddress(InetSocketAddress address) {
      this.coapsAddress = address;
      return this;
    }

    /** Required: the DM server's {@code coaps://host:port} as devices reach it. */
    public Builder dmServer(URI uri) {
      this.dmServer = uri;
      return this;
    }

    /** The registration lifetime written to the device's Server object. Default: 5 minutes. */
    public Builder lifetime(Duration lifetime) {
      this.lifetime = lifetime;
      return this;
    }

    public BootstrapServer build() {
      Objects.requireNonNull(credentials, "credentials");
      Objects.requireNonNull(audit, "audit");
      Objects.requireNonNull(coapsAddress, "coapsAddress");
      Objects.requireNonNull(dmServer, "dmServer");
      if (!"coaps".equalsIgnoreCase(dmServer.getScheme())
          || dmServer.getHost() == null
          || dmServer.getPort() < 1) {
        throw new IllegalArgumentException(
            "the DM server URI the bootstrap server writes must be coaps://HOST:PORT, got "
                + dmServer);
      }
      if (dmServer.getHost().equals("0.0.0.0") || dmServer.getHost().equals("[::]")) {
        throw new IllegalArgumentException(
            "the DM server URI the bootstrap server writes names no host devices can reach ("
                + dmServer
                + "): give the DM server's address as devices see it");
      }
      if (rotateAfter != null && (rotateAfter.isNegative() || rotateAfter.isZero())) {
        throw new IllegalArgumentException(
            "the DM PSK rotation age must be positive, got " + rotateAfter);
      }
      return new BootstrapServer(this);
    }
  }
}
