package org.keyprov.server;

import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.eclipse.leshan.core.endpoint.Protocol;
import org.eclipse.leshan.core.request.DownlinkRequest;
import org.eclipse.leshan.core.response.LwM2mResponse;
import org.eclipse.leshan.server.LeshanServer;
import org.eclipse.leshan.server.LeshanServerBuilder;
import org.eclipse.leshan.server.endpoint.LwM2mServerEndpointsProvider;
import org.eclipse.leshan.server.model.VersionedModelProvider;
import org.eclipse.leshan.server.registration.Registration;
import org.keyprov.keys.CredentialAdmin;
import org.keyprov.keys.DmCredentials;
import org.keyprov.keys.InvalidationFeed;
import org.keyprov.keys.InvalidationFollower;
import org.keyprov.keys.ProvisioningLedger;
import org.keyprov.keys.SecretBox;
import org.keyprov.keys.ThrottledAudit;
import org.keyprov.models.KeyprovModels;
import org.keyprov.server.cluster.RedisCluster;
import org.keyprov.server.cluster.RequestRelay;
import org.keyprov.server.provisioning.Backoff;
import org.keyprov.server.provisioning.Provisioner;
import org.keyprov.server.provisioning.ProvisioningListener;
import org.keyprov.server.security.KeyManagerAuthorizer;
import org.keyprov.server.security.KeyManagerSecurityStore;
import org.keyprov.server.transport.DmEndpoints;

/**
 * The Key Manager's LwM2M server: devices register over CoAPs (DTLS-PSK with the credential the Key
 * Manager holds), and each registration or update provisions the device's due Enablers
 * automatically. Plain CoAP is off unless {@link Builder#coapAddress} is set.
 *
 * <pre>{@code
 * try (DmServer server = DmServer.builder()
 *     .credentials(km.dmCredentials()).admin(km.admin()).ledger(km.ledger())
 *     .coapsAddress(new InetSocketAddress("127.0.0.1", 0))
 *     .build()) {
 *   server.start();
 * }
 * }</pre>
 */
public final class DmServer implements DeviceDirectory, AutoCloseable {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(DmServer.class);

  private final LeshanServer leshan;
  private final Provisioner provisioner;
  private final ExecutorService workers;
  private final ScheduledExecutorService timer;
  private final List<ProvisioningListener> listeners;
  private final Duration requestTimeout;
  private final KeyManagerSecurityStore security;
  private final InvalidationFollower invalidations;
  private final InvalidationFeed feed;
  private final RedisCluster redis;
  private final org.keyprov.server.transport.DtlsSessionFile sessions;
  private final RequestRelay relay;

  private final ObjectBrowser objects = new ObjectBrowser(this::send);
  private volatile boolean running;

  /** Asks devices to bootstrap again, for a DM PSK rotation. */
  private final Rebootstrap rebootstrap;

  /** Whether this node holds the device's session (always, unless registrations are shared). */
  private final Predicate<Registration> here;

  private DmServer(Builder b) {
    this.redis = b.redis;
    this.sessions = b.sessions;
    this.here = redis == null ? r -> true : r -> b.redisNode.equals(RedisCluster.servingNode(r));
    this.listeners = b.listeners;
    this.requestTimeout = b.requestTimeout;
    this.workers = Executors.newFixedThreadPool(b.workerThreads, threads("keyprov-provisioning"));
    this.rebootstrap = new Rebootstrap(this::registration, this::send, workers);
    this.timer = Executors.newSingleThreadScheduledExecutor(threads("keyprov-provisioning-retry"));

    ThrottledAudit refusals =
        new ThrottledAudit(b.audit, b.clock, 60, "dm-server", "dm.refusals.suppressed");

    LeshanServerBuilder builder = new LeshanServerBuilder();
    builder.setObjectModelProvider(new VersionedModelProvider(KeyprovModels.loadWithDefaults()));
    this.security = new KeyManagerSecurityStore(b.credentials, refusals);
    builder.setSecurityStore(security);
    builder.setAuthorizer(
        new KeyManagerAuthorizer(
            security, refusals, redis == null ? null : b.redisNode, rebootstrap::due));
    if (redis != null) {
      builder.setRegistrationStore(redis.registrations(b.redisNode));
    }
    DmMeters meters = new DmMeters(b.meters);
    builder.setEndpointsProviders(
        b.endpoints != null
            ? b.endpoints
            : DmEndpoints.californium(
                b.coapsAddress,
                b.coapAddress,
                b.dtlsSessions,
                (identity, reason) -> refusals.record("dm.handshake.failed", identity, reason),
                new org.keyprov.server.transport.DtlsMeters(b.meters)));
    this.leshan = builder.build();

    listeners.add(meters);
    ProvisioningListener fanOut = new FanOut(listeners);
    this.provisioner =
        new Provisioner(
            leshan,
            b.admin,
            b.ledger,
            fanOut,
            b.clock,
            b.backoff,
            b.requestTimeout,
            workers,
            timer,
            b.leases,
            b.node,
            here);
    leshan.getRegistrationService().addListener(meters);
    leshan.getRegistrationService().addListener(new Arrivals(fanOut));
    leshan.getRegistrationService().addListener(rebootstrap.listener());
    leshan.getRegistrationService().addListener(provisioner);
    leshan.getObservationService().addListener(provisioner);
    leshan.getSendService().addListener(provisioner);
    leshan.getObservationService().addListener(objects.notifications(fanOut));
    this.relay =
        redis == null
            ? null
            : new RequestRelay(redis, b.redisNode, b.relayBox, leshan, here, b.clock);
    this.feed = b.invalidations;
    this.invalidations =
        b.invalidations == null
            ? null
            : new InvalidationFollower(
                b.invalidations, null, "dm-server", () -> {}, this::invalidated);
  }

  /**
   * A deleted device, or one whose DM PSK changed, loses its DTLS sessions and registration here at
   * once; one whose DM PSK is to be rotated is asked to bootstrap again; a device whose key was
   * revoked gets its next key now, which replaces the revoked one on the device; an unassigned
   * Enabler's instance is deleted from the device.
   */
  private void invalidated(InvalidationFeed.Batch batch) {
    for (InvalidationFeed.Invalidation i : batch.invalidations()) {
      boolean aboutDevice = i.btid().isEmpty();
      if (aboutDevice && InvalidationFeed.DEVICE_DELETED.equals(i.reason())) {
        endSession(i.endpoint(), "deleted at the Key Manager");
      } else if (aboutDevice && InvalidationFeed.DM_PSK_CHANGED.equals(i.reason())) {
        endSession(i.endpoint(), "DM PSK changed at the Key Manager");
      } else if (aboutDevice && InvalidationFeed.DM_ROTATION.equals(i.reason())) {
        // the node holding the device's session asks; the others would only ask again
        registration(i.endpoint()).filter(here).ifPresent(r -> bootstrapNow(i.endpoint()));
      } else if (aboutDevice && InvalidationFeed.UNASSIGNED.equals(i.reason())) {
        provisioner.unprovisionSoon(i.endpoint(), i.nafFqdn());
      } else if (InvalidationFeed.REVOKED.equals(i.reason())) {
        provisioner.provisionSoon(i.endpoint());
      }
    }
  }

  private void endSession(String endpoint, String why) {
    security.remove(endpoint, true);
    Registration registration = leshan.getRegistrationService().getByEndpoint(endpoint);
    if (registration != null) {
      leshan.getRegistrationStore().removeRegistration(registration.getId());
    }
    LOG.info("{}: {}; DTLS session and registration ended", endpoint, why);
  }

  public static Builder builder() {
    return new Builder();
  }

  public void start() {
    long feedCursor =
        sessions == null
            ? InvalidationFeed.NOW
            : sessions.load(leshan, InvalidationFeed.NOW).feedCursor();
    if (redis != null) {
      redis.onPassAsked(provisioner::provisionSoon);
    }
    leshan.start();
    running = true;
    if (invalidations != null) {
      invalidations.start(catchUp(feedCursor));
    }
    if (redis != null) {
      // reading every registration in Redis takes a while at fleet size: not on the start path
      Thread resume = new Thread(this::resumeServedDevices, "keyprov-resume-served-devices");
      resume.setDaemon(true);
      resume.start();
    }
  }

  /**
   * What was invalidated since {@code cursor}, where the previous run stopped following the feed
   * (its sessions came back): acted on before this returns, so a device deleted or given a new DM
   * PSK meanwhile loses its restored session before it can use it. If the feed cannot be read now,
   * the follower catches up as soon as it can.
   *
   * @return where the follower goes on from
   */
  private long catchUp(long cursor) {
    if (cursor == InvalidationFeed.NOW) {
      return cursor;
    }
    try {
      while (true) {
        InvalidationFeed.Batch missed = feed.next(cursor, null, Duration.ZERO);
        if (missed.invalidations().isEmpty()) {
          return missed.cursor();
        }
        invalidated(missed);
        cursor = missed.cursor();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return cursor;
    } catch (RuntimeException e) {
      LOG.warn(
          "cannot read what was invalidated while this server was stopped ({}); following it"
              + " as soon as the Key Manager answers",
          e.getMessage());
      return cursor;
    }
  }

  /**
   * After a restart, the devices this node still serves (their registrations in Redis name it) get
   * a pass: retries and renewals were timers of the previous run, and a device that kept its DTLS
   * session does not register again to ask for them.
   */
  private void resumeServedDevices() {
    int resumed = 0;
    try {
      for (java.util.Iterator<Registration> it =
              leshan.getRegistrationService().getAllRegistrations();
          it.hasNext(); ) {
        Registration r = it.next();
        if (here.test(r)) {
          provisioner.provisionSoon(r.getEndpoint());
          resumed++;
        }
      }
    } catch (RuntimeException e) {
      LOG.warn(
          "cannot list the registrations in Redis ({}); devices not resumed yet get their pass"
              + " at their next registration update",
          e.getMessage());
    }
    if (resumed > 0) {
      LOG.info("{} devices registered with this node before it restarted: a pass each", resumed);
    }
  }

  /** Whether the server has started and not closed: its endpoints are bound. */
  public boolean running() {
    return running;
  }

  /** The CoAPs URI devices register at, with the actual port once started. */
  public URI coapsUri() {
    return uri(Protocol.COAPS);
  }

  /** The URI of the endpoint of {@code protocol} (COAP only with {@link Builder#coapAddress}). */
  public URI uri(Protocol protocol) {
    return leshan.getEndpoint(protocol).getURI();
  }

  @Override
  public void addListener(ProvisioningListener listener) {
    listeners.add(Objects.requireNonNull(listener, "listener"));
  }

  @Override
  public boolean isRegistered(String endpoint) {
    return leshan.getRegistrationService().getByEndpoint(endpoint) != null;
  }

  /** The device's current registration, if it is registered (with any node). */
  public Optional<Registration> registration(String endpoint) {
    return Optional.ofNullable(leshan.getRegistrationService().getByEndpoint(endpoint));
  }

  @Override
  public Optional<RegistrationInfo> registrationInfo(String endpoint) {
    return registration(endpoint)
        .map(
            r ->
                new RegistrationInfo(
                    r.getId(),
                    String.valueOf(r.getSocketAddress()).replaceFirst("^/", ""),
                    r.getLifeTimeInSec(),
                    r.getBindingMode().stream()
                        .map(Enum::name)
                        .collect(java.util.stream.Collectors.joining()),
                    Boolean.TRUE.equals(r.getQueueMode()),
                    String.valueOf(r.getLwM2mVersion()),
                    r.getRegistrationDate().toInstant(),
                    r.getLastUpdate().toInstant(),
                    java.util.Arrays.stream(r.getSortedObjectLinks())
                        .map(org.eclipse.leshan.core.link.Link::toCoreLinkFormat)
                        .toList(),
                    r.getSupportedContentFormats() == null
                        ? List.of()
                        : r.getSupportedContentFormats().stream()
                            .map(org.eclipse.leshan.core.request.ContentFormat::getName)
                            .filter(DeviceObjects.formats()::contains)
                            .sorted()
                            .toList(),
                    redis == null ? null : RedisCluster.servingNode(r),
                    Provisioner.reportsBySend(r),
                    Provisioner.observesReports(
                        leshan.getObservationService().getObservations(r))));
  }

  /**
   * The node that holds the device's session, where nodes share registrations: the only one that
   * can send it requests. Empty if the device is not registered or registrations are not shared.
   */
  public Optional<String> servingNode(String endpoint) {
    return redis == null ? Optional.empty() : registration(endpoint).map(RedisCluster::servingNode);
  }

  /**
   * Sends a request to a registered device and waits for the answer (for operator actions and
   * tests). Where nodes share registrations, a device served by another node is reached through it
   * ({@link RequestRelay}): Read, Discover, Write, Execute and Delete.
   *
   * @throws IllegalStateException if the device is not registered or does not answer in time, or
   *     its node is not running
   * @throws IllegalArgumentException if the device is served by another node and the request is not
   *     one of those
   */
  public <T extends LwM2mResponse> T send(String endpoint, DownlinkRequest<T> request)
      throws InterruptedException {
    Registration registration =
        registration(endpoint)
            .orElseThrow(
                () -> new IllegalStateException("device " + endpoint + " is not registered"));
    if (!here.test(registration)) {
      return relay.send(registration, request, requestTimeout);
    }
    T response = leshan.send(registration, request, requestTimeout.toMillis());
    if (response == null) {
      throw new IllegalStateException("device " + endpoint + " did not answer in time");
    }
    return response;
  }

  /**
   * Asks the device to bootstrap again now (Execute on its Server object's Bootstrap-Request
   * Trigger, /1/x/9), from this node or the one holding its session: how its DM PSK is rotated. In
   * the background; false if the device is not registered (it is asked when it next registers).
   */
  @Override
  public boolean bootstrapNow(String endpoint) {
    return running && rebootstrap.now(endpoint);
  }

  @Override
  public Optional<DeviceObjects> objects() {
    return Optional.of(objects);
  }

  @Override
  public long registeredCount() {
    long n = 0;
    for (java.util.Iterator<Registration> it =
            leshan.getRegistrationService().getAllRegistrations();
        it.hasNext();
        it.next()) {
      n++;
    }
    return n;
  }

  /**
   * A pass now, by the node that holds the device's session: this one, or another that is asked
   * through Redis (if Redis is unreachable, the device's next registration update runs one).
   */
  @Override
  public void provisionNow(String endpoint) {
    Optional<Registration> registration = registration(endpoint);
    if (redis == null || registration.isEmpty() || here.test(registration.get())) {
      provisioner.provisionSoon(endpoint);
    } else {
      redis.askPass(endpoint);
    }
  }

  @Override
  public void close() {
    running = false;
    if (invalidations != null) {
      invalidations.close();
    }
    timer.shutdownNow();
    workers.shutdownNow();
    if (sessions != null) {
      leshan.stop();
      sessions.save(leshan, invalidations == null ? InvalidationFeed.NOW : invalidations.cursor());
    }
    leshan.destroy();
    try {
      workers.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static ThreadFactory threads(String name) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, name + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }

  /** Devices coming and going, told to the listeners (the console's online/offline). */
  private record Arrivals(ProvisioningListener listener)
      implements org.eclipse.leshan.server.registration.RegistrationListener {
    @Override
    public void registered(
        Registration registration,
        Registration previous,
        java.util.Collection<org.eclipse.leshan.core.observation.Observation> observations) {
      listener.registered(registration.getEndpoint());
    }

    @Override
    public void updated(
        org.eclipse.leshan.server.registration.RegistrationUpdate update,
        Registration updated,
        Registration previous) {
      listener.updated(updated.getEndpoint());
    }

    @Override
    public void unregistered(
        Registration registration,
        java.util.Collection<org.eclipse.leshan.core.observation.Observation> observations,
        boolean expired,
        Registration replacement) {
      if (replacement == null) {
        listener.deregistered(registration.getEndpoint(), expired);
      }
    }
  }

  private record FanOut(List<ProvisioningListener> listeners) implements ProvisioningListener {
    @Override
    public void provisioned(String endpoint, String nafFqdn, int keyVersion) {
      listeners.forEach(l -> l.provisioned(endpoint, nafFqdn, keyVersion));
    }

    @Override
    public void failed(String endpoint, String nafFqdn, String reason) {
      listeners.forEach(l -> l.failed(endpoint, nafFqdn, reason));
    }

    @Override
    public void unsupported(String endpoint, String reason) {
      listeners.forEach(l -> l.unsupported(endpoint, reason));
    }

    @Override
    public void connectionReported(String endpoint, String nafFqdn, String result) {
      listeners.forEach(l -> l.connectionReported(endpoint, nafFqdn, result));
    }

    @Override
    public void registered(String endpoint) {
      listeners.forEach(l -> l.registered(endpoint));
    }

    @Override
    public void updated(String endpoint) {
      listeners.forEach(l -> l.updated(endpoint));
    }

    @Override
    public void deregistered(String endpoint, boolean expired) {
      listeners.forEach(l -> l.deregistered(endpoint, expired));
    }

    @Override
    public void notified(String endpoint, String path, String value) {
      listeners.forEach(l -> l.notified(endpoint, path, value));
    }
  }

  public static final class Builder {
    private DmCredentials credentials;
    private CredentialAdmin admin;
    private ProvisioningLedger ledger;
    private InetSocketAddress coapsAddress = new InetSocketAddress(5684);
    private InetSocketAddress coapAddress;
    private Clock clock = Clock.systemUTC();
    private Backoff backoff = new Backoff(Duration.ofSeconds(5), Duration.ofMinutes(10));
    private Duration requestTimeout = Duration.ofSeconds(10);
    private int workerThreads = 8;
    private int dtlsSessions = 150_000;
    private InvalidationFeed invalidations;
    private org.keyprov.keys.AuditLog audit;
    private LwM2mServerEndpointsProvider endpoints;
    private org.keyprov.keys.ProvisioningLeases leases;
    private String node;
    private RedisCluster redis;
    private String redisNode;
    private SecretBox relayBox;
    private io.micrometer.core.instrument.MeterRegistry meters =
        new io.micrometer.core.instrument.composite.CompositeMeterRegistry();
    private org.keyprov.server.transport.DtlsSessionFile sessions;
    private final List<ProvisioningListener> listeners = new CopyOnWriteArrayList<>();

    private Builder() {}

    /** Required: the devices' DTLS-PSK credentials. */
    public Builder credentials(DmCredentials credentials) {
      this.credentials = credentials;
      return this;
    }

    /** Required: mints the keys that get provisioned. */
    public Builder admin(CredentialAdmin admin) {
      this.admin = admin;
      return this;
    }

    /** Required: where outcomes are recorded. */
    public Builder ledger(ProvisioningLedger ledger) {
      this.ledger = ledger;
      return this;
    }

    /** The CoAPs (DTLS-PSK) address. Default: all interfaces, port 5684. */
    public Builder coapsAddress(InetSocketAddress address) {
      this.coapsAddress = address;
      return this;
    }

    /**
     * Where the server listens, instead of {@link #coapsAddress} and {@link #coapAddress} on
     * Californium ({@code DmEndpoints.californium}); its DTLS must ask the server's security store.
     */
    public Builder endpoints(LwM2mServerEndpointsProvider endpoints) {
      this.endpoints = endpoints;
      return this;
    }

    /**
     * For one of several DM server nodes sharing registrations and observations in Redis (needs
     * {@link #leases}), this one named {@code node}: a registration records the node that received
     * it, the one holding the device's DTLS session (a balancer keeps the device's flow on it), and
     * only that node sends the device requests; a pass asked for on another node is passed to it
     * through Redis. The name outlives the process: a node that restarts under the same name (and
     * with {@link #sessionFile}) keeps serving its devices without their registering again.
     * Requests to a device served by another node go through that node, sealed under {@code
     * relayKey} (32 bytes, the same on every node; copied, so the caller may wipe it).
     */
    public Builder redis(RedisCluster redis, String node, byte[] relayKey) {
      this.redis = Objects.requireNonNull(redis, "redis");
      this.redisNode = Objects.requireNonNull(node, "node");
      this.relayBox = new SecretBox(relayKey, new java.security.SecureRandom()); // copies it
      return this;
    }

    /**
     * Keeps the DTLS sessions across a restart: saved to {@code file}, sealed under {@code key} (32
     * bytes), when the server closes, and taken back (the file deleted) when it starts. Default:
     * none (every device handshakes again after a restart).
     */
    public Builder sessionFile(java.nio.file.Path file, byte[] key) {
      this.sessions = new org.keyprov.server.transport.DtlsSessionFile(file, key);
      return this;
    }

    /** Enables plain CoAP (no security) at this address. Default: off. */
    public Builder coapAddress(InetSocketAddress address) {
      this.coapAddress = address;
      return this;
    }

    public Builder clock(Clock clock) {
      this.clock = clock;
      return this;
    }

    /** Retry delays after failed attempts. Default: 5 s doubling up to 10 min. */
    public Builder backoff(Backoff backoff) {
      this.backoff = backoff;
      return this;
    }

    /** How long to wait for a device's answer. Default: 10 s. */
    public Builder requestTimeout(Duration timeout) {
      this.requestTimeout = timeout;
      return this;
    }

    /**
     * DTLS sessions kept (Scandium's {@code DTLS_MAX_CONNECTIONS}; an idle one makes room for a new
     * one after 30 min). It bounds the devices that hold a session at once and, since Scandium
     * counts each new handshake of the last ~140 s against it, new sessions at ~1/140 of it per
     * second sustained (1,070/s at the default), well above the ~400 DM handshakes/s (ECDHE-PSK)
     * two cores do. Default: 150,000 (~6 KiB of heap per registered device).
     */
    public Builder dtlsSessions(int sessions) {
      if (sessions < 1) {
        throw new IllegalArgumentException("DTLS sessions must be at least 1, not " + sessions);
      }
      this.dtlsSessions = sessions;
      return this;
    }

    /** Threads that talk to devices. Default: 8. */
    public Builder workerThreads(int threads) {
      this.workerThreads = threads;
      return this;
    }

    /**
     * The Key Manager's invalidation feed: deleted devices lose their sessions and registrations at
     * once, revoked keys are replaced on their devices at once. Default: none (both wait for the
     * device's next registration update).
     */
    public Builder invalidations(InvalidationFeed feed) {
      this.invalidations = feed;
      return this;
    }

    /**
     * Where refused handshakes and registrations are audited (at most 60 rows a minute). Default:
     * none (they are only logged).
     */
    public Builder audit(org.keyprov.keys.AuditLog audit) {
      this.audit = audit;
      return this;
    }

    /**
     * For one of several DM server nodes on one database: each provisioning pass holds the device's
     * lease as {@code holder} (unique among the running processes: a lease of an earlier run is
     * never taken for this one's), so two nodes never write to one device at once. Default: none
     * (one DM server per database).
     */
    public Builder leases(org.keyprov.keys.ProvisioningLeases leases, String holder) {
      this.leases = Objects.requireNonNull(leases, "leases");
      this.node = Objects.requireNonNull(holder, "holder");
      return this;
    }

    /**
     * Where the server's meters go: registrations, provisioning outcomes, keys written, connection
     * reports, DTLS handshakes and sessions ({@code keyprov.dm.*}, {@code keyprov.provisioning},
     * {@code keyprov.keys.provisioned}). Default: nowhere.
     */
    public Builder meters(io.micrometer.core.instrument.MeterRegistry registry) {
      this.meters = Objects.requireNonNull(registry, "registry");
      return this;
    }

    public Builder listener(ProvisioningListener listener) {
      this.listeners.add(Objects.requireNonNull(listener, "listener"));
      return this;
    }

    public DmServer build() {
      Objects.requireNonNull(credentials, "credentials");
      Objects.requireNonNull(admin, "admin");
      Objects.requireNonNull(ledger, "ledger");
      Objects.requireNonNull(coapsAddress, "coapsAddress");
      Objects.requireNonNull(clock, "clock");
      Objects.requireNonNull(backoff, "backoff");
      if (requestTimeout.isNegative() || requestTimeout.isZero()) {
        throw new IllegalArgumentException("request timeout must be positive");
      }
      if (workerThreads < 1) {
        throw new IllegalArgumentException("need at least one worker thread");
      }
      if (redis != null && leases == null) {
        throw new IllegalStateException(
            "nodes sharing registrations in Redis share a database too: give leases(…)");
      }

      return new DmServer(this);
    }
  }
}
