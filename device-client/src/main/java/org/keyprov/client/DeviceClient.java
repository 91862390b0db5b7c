package org.keyprov.client;

import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.eclipse.leshan.client.LeshanClient;
import org.eclipse.leshan.client.LeshanClientBuilder;
import org.eclipse.leshan.client.californium.endpoint.CaliforniumClientEndpointsProvider;
import org.eclipse.leshan.client.californium.endpoint.coaps.CoapsClientProtocolProvider;
import org.eclipse.leshan.client.engine.DefaultRegistrationEngineFactory;
import org.eclipse.leshan.client.object.Device;
import org.eclipse.leshan.client.object.Security;
import org.eclipse.leshan.client.object.Server;
import org.eclipse.leshan.client.observer.LwM2mClientObserverAdapter;
import org.eclipse.leshan.client.resource.LwM2mObjectEnabler;
import org.eclipse.leshan.client.resource.ObjectsInitializer;
import org.eclipse.leshan.client.servers.LwM2mServer;
import org.eclipse.leshan.core.LwM2mId;
import org.eclipse.leshan.core.ResponseCode;
import org.eclipse.leshan.core.model.StaticModel;
import org.eclipse.leshan.core.request.RegisterRequest;
import org.eclipse.leshan.core.request.UpdateRequest;
import org.keyprov.client.object.AccessControl;
import org.keyprov.client.object.DmAccount;
import org.keyprov.client.object.EnablerSecurityInstances;
import org.keyprov.client.object.EnablerSecurityState;
import org.keyprov.client.object.GuardedObjects;
import org.keyprov.client.object.StateFile;
import org.keyprov.models.EnablerSecurityObject;
import org.keyprov.models.KeyprovModels;

/**
 * An embeddable LwM2M device client (Leshan) holding the Enabler Security Parameters object: it
 * registers with the Key Manager's DM server over DTLS-PSK, receives Enabler parameters, keeps them
 * in an owner-only state file and connects to Enablers with them.
 *
 * <pre>{@code
 * try (DeviceClient device = DeviceClient.builder()
 *     .endpoint("ep1").dmServer(URI.create("coaps://km.example:5684"))
 *     .dmPsk("ep1", key).stateFile(Path.of("ep1.state")).build()) {
 *   device.start();
 *   device.connector().connect("enabler.example");
 * }
 * }</pre>
 */
public final class DeviceClient implements AutoCloseable {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(DeviceClient.class);
  private static final int SHORT_SERVER_ID = 1;

  private final String endpoint;
  private final StateFile stateFile;

  /** The factory bootstrap credential's identity this device was built with, or null. */
  private final String factoryIdentity;

  private final AccessControl access;
  private final LeshanClient leshan;

  /** The device's session with another LwM2M server (a vendor's, a partner's), or null. */
  private final LeshanClient other;

  private final EnablerSecurityInstances instances;
  private final EnablerConnector connector;
  private final RenewalNudge nudge;

  /** Sends connection results to the DM server; null when it observes them instead. */
  private final ConnectionReports reports;

  private final java.util.concurrent.ScheduledExecutorService ownScheduler;
  private final List<Consumer<Boolean>> registrationListeners = new CopyOnWriteArrayList<>();
  private volatile java.time.Instant lastContact;

  private DeviceClient(Builder b) {
    this.endpoint = b.endpoint;
    this.stateFile = new StateFile(b.stateFile);
    this.factoryIdentity = b.bsPskIdentity;
    this.instances = new EnablerSecurityInstances(stateFile, b.clock);
    this.access = new AccessControl(stateFile);
    this.connector = new EnablerConnector(instances, b.clock, b.connectTimeout);
    if (b.sim != null) {
      SimBootstrap.populate(instances, b.sim, b.simPin);
    }
    this.other =
        b.otherServer == null
            ? null
            : DmAccounts.otherServer(
                b.endpoint, b.otherServer, b.otherServerId, b.lifetime, access, instances);
    if (b.dmServer == null && b.bootstrapServer == null) {
      this.leshan = null;
      this.reports = null;
      this.nudge = null;
      this.ownScheduler = null;
      return;
    }

    ObjectsInitializer initializer =
        new GuardedObjects(
            new StaticModel(KeyprovModels.loadWithDefaults()), access, EnablerSecurityObject.ID);
    // the Key Manager's DM server owns the Enabler keys: known now for a flashed DM PSK or a kept
    // bootstrap, else once the bootstrap server has written the account
    java.util.OptionalInt dmServerId =
        b.bootstrapServer == null
            ? java.util.OptionalInt.of(SHORT_SERVER_ID)
            : stateFile.account().stream().mapToInt(DmAccount::shortServerId).findFirst();
    dmServerId.ifPresent(
        ssid -> access.add(access.missing(EnablerSecurityObject.ID, instanceIds(), ssid)));
    access.registerWith(initializer);
    if (b.bootstrapServer != null) {
      DmAccounts.install(
          initializer,
          new DmAccount(b.bootstrapServer.toString(), 0, b.bsPskIdentity, b.bsPskKey, 0),
          stateFile.bootstrapAccount(),
          stateFile.account());
    } else {
      byte[] key = b.dmPskKey.clone();
      initializer.setInstancesForObject(
          LwM2mId.SECURITY,
          Security.psk(
              b.dmServer.toString(),
              SHORT_SERVER_ID,
              b.dmPskIdentity.getBytes(java.nio.charset.StandardCharsets.UTF_8),
              key));
      java.util.Arrays.fill(key, (byte) 0);
      initializer.setInstancesForObject(
          LwM2mId.SERVER, new Server(SHORT_SERVER_ID, b.lifetime.toSeconds()));
    }
    initializer.setInstancesForObject(
        LwM2mId.DEVICE, new Device("keyprov", "keyprov-device", b.endpoint));
    instances.registerWith(initializer);

    DefaultRegistrationEngineFactory engine = new DefaultRegistrationEngineFactory();
    engine.setRequestTimeoutInMs(b.requestTimeout.toMillis());
    // Leshan waits 10 min after a failed registration; a device whose key is due for renewal must
    // not sit out a DM server restart that long
    engine.setRetryWaitingTimeInMs((int) b.registrationRetry.toMillis());
    LeshanClientBuilder builder = new LeshanClientBuilder(b.endpoint);
    List<LwM2mObjectEnabler> objects = initializer.createAll();
    instances.attach(objects);
    builder.setObjects(objects);
    if (b.host == null) {
      builder.setEndpointsProviders(
          new CaliforniumClientEndpointsProvider.Builder(new CoapsClientProtocolProvider())
              .build());
    } else {
      builder.setEndpointsProviders(b.host.newEndpointsProvider());
      builder.setSharedExecutor(b.host.registrationExecutor());
    }
    builder.setRegistrationEngineFactory(engine);
    if (b.reportWithSend) {
      builder.setAdditionalAttributes(
          java.util.Map.of(
              EnablerSecurityObject.REPORTS_ATTRIBUTE, EnablerSecurityObject.REPORTS_BY_SEND));
    }
    this.leshan = builder.build();
    this.reports =
        b.reportWithSend
            ? new ConnectionReports(b.endpoint, leshan, b.requestTimeout.toMillis())
            : null;
    if (reports != null) {
      // results of an earlier run may never have reached the server: told at the registration
      instances.all().stream()
          .filter(s -> s.lastConnectionResult().isPresent())
          .forEach(s -> reports.pending(s.instanceId()));
      instances.addResultListener(reports::attempted);
    }
    this.ownScheduler =
        b.host != null
            ? null
            : java.util.concurrent.Executors.newSingleThreadScheduledExecutor(
                r -> {
                  Thread t = new Thread(r, "keyprov-client-renewal-" + b.endpoint);
                  t.setDaemon(true);
                  return t;
                });
    this.nudge =
        new RenewalNudge(
            b.endpoint,
            b.clock,
            b.host != null ? b.host.registrationExecutor() : ownScheduler,
            this::triggerRegistrationUpdate);
    instances.addListener(nudge::changed);
    instances.all().forEach(nudge::changed);
    this.leshan.addObserver(
        new LwM2mClientObserverAdapter() {
          @Override
          public void onRegistrationSuccess(
              LwM2mServer server, RegisterRequest request, String id) {
            lastContact = b.clock.instant();
            sendPendingReports();
            registrationListeners.forEach(l -> l.accept(true));
          }

          @Override
          public void onBootstrapSuccess(
              LwM2mServer bsserver, org.eclipse.leshan.core.request.BootstrapRequest request) {
            keepAccount();
          }

          @Override
          public void onUpdateSuccess(LwM2mServer server, UpdateRequest request) {
            lastContact = b.clock.instant();
            sendPendingReports();
          }

          @Override
          public void onRegistrationFailure(
              LwM2mServer server,
              RegisterRequest request,
              ResponseCode code,
              String message,
              Exception cause) {
            registrationListeners.forEach(l -> l.accept(false));
          }

          @Override
          public void onRegistrationTimeout(LwM2mServer server, RegisterRequest request) {
            registrationListeners.forEach(l -> l.accept(false));
          }
        });
  }

  private void sendPendingReports() {
    if (reports != null) {
      reports.sendPending();
    }
  }

  public static Builder builder() {
    return new Builder();
  }

  private List<Integer> instanceIds() {
    return instances.all().stream().map(EnablerSecurityState::instanceId).toList();
  }

  /** After a bootstrap: keeps the DM server account it wrote in the state file. */
  private void keepAccount() {
    try {
      java.util.Optional<DmAccount> account = DmAccounts.read(leshan.getObjectTree());
      account.ifPresent(stateFile::saveAccount);
      // a rotated factory credential: the one from the factory no longer works after this
      DmAccounts.readBootstrap(leshan.getObjectTree())
          .filter(bs -> !bs.identity().equals(factoryIdentity))
          .ifPresent(stateFile::saveBootstrapAccount);
      // a bootstrap server that wrote no Access Control for the Enabler keys: they are the DM
      // server's, as for a device flashed with its DM PSK
      account.ifPresent(
          a ->
              AccessControl.create(
                  leshan.getObjectTree().getObjectEnabler(LwM2mId.ACCESS_CONTROL),
                  access.missing(EnablerSecurityObject.ID, instanceIds(), a.shortServerId())));
    } catch (RuntimeException e) {
      LOG.warn(
          "{}: could not keep the DM server account from the bootstrap: {}",
          endpoint,
          e.toString());
    }
  }

  /** Starts registering with the DM server, in the background (no-op without a DM server). */
  public void start() {
    if (leshan != null) {
      leshan.start();
    }
    if (other != null) {
      other.start();
    }
  }

  public String endpoint() {
    return endpoint;
  }

  /** Whether the client currently holds a registration with the DM server. */
  public boolean isRegistered() {
    return leshan != null && !leshan.getRegisteredServers().isEmpty();
  }

  /**
   * Sends a registration update now (re-registering if the server no longer knows the device): how
   * a device asks the DM server for what is due. No-op without a DM server.
   */
  public void triggerRegistrationUpdate() {
    if (leshan != null) {
      leshan.triggerRegistrationUpdate();
    }
  }

  /**
   * When the DM server last accepted this device's registration or registration update; empty
   * before the first. How long a device has been out of touch.
   */
  public java.util.Optional<java.time.Instant> lastContact() {
    return java.util.Optional.ofNullable(lastContact);
  }

  /** Called with {@code true} on each successful registration, {@code false} on a failed one. */
  public void onRegistration(Consumer<Boolean> listener) {
    registrationListeners.add(listener);
  }

  /** Called with an instance's new state after each change (provisioning, connection result). */
  public void onParametersChanged(Consumer<EnablerSecurityState> listener) {
    instances.addListener(listener);
  }

  /** The Enabler parameters the device holds now. */
  public List<EnablerSecurityState> enablerParameters() {
    return instances.all();
  }

  public EnablerConnector connector() {
    return connector;
  }

  /** Deregisters and stops. */
  @Override
  public void close() {
    if (nudge != null) {
      nudge.close();
    }
    if (ownScheduler != null) {
      ownScheduler.shutdownNow();
    }
    if (leshan != null) {
      leshan.destroy(true);
    }
    if (other != null) {
      other.destroy(true);
    }
  }

  public static final class Builder {
    private String endpoint;
    private URI dmServer;
    private String dmPskIdentity;
    private byte[] dmPskKey;
    private URI otherServer;
    private int otherServerId;
    private URI bootstrapServer;
    private String bsPskIdentity;
    private byte[] bsPskKey;
    private Path stateFile;
    private Clock clock = Clock.systemUTC();
    private Duration lifetime = Duration.ofMinutes(5);
    private Duration requestTimeout = Duration.ofSeconds(10);
    private Duration connectTimeout = Duration.ofSeconds(10);
    private Duration registrationRetry = Duration.ofSeconds(15);
    private javax.smartcardio.CardTerminal sim;
    private String simPin;
    private ClientHost host;
    private boolean reportWithSend = true;

    private Builder() {}

    /**
     * Whether the device tells the DM server its Enabler connection results with LwM2M Send
     * (default) or leaves the server to observe object 33001, as a client that does not know
     * keyprov's registration attribute is.
     */
    public Builder reportWithSend(boolean send) {
      this.reportWithSend = send;
      return this;
    }

    /**
     * Runs this client on threads shared with the host's other clients instead of threads of its
     * own. Default: none (own threads).
     */
    public Builder host(ClientHost host) {
      this.host = host;
      return this;
    }

    /**
     * Reads Enabler parameters from the SIM/USIM in {@code terminal} at build time (provisioning
     * source SIM), before or without any DM server contact. The device never sees Ks: the card
     * derives each Enabler's key.
     */
    public Builder sim(javax.smartcardio.CardTerminal terminal, String pin) {
      this.sim = terminal;
      this.simPin = pin;
      return this;
    }

    /** Required: the LwM2M endpoint name. */
    public Builder endpoint(String endpoint) {
      this.endpoint = endpoint;
      return this;
    }

    /** The DM server's {@code coaps://host:port}; optional for a SIM-only device. */
    public Builder dmServer(URI uri) {
      this.dmServer = uri;
      return this;
    }

    /** Required: the DM DTLS-PSK credential; the key is copied. */
    public Builder dmPsk(String identity, byte[] key) {
      this.dmPskIdentity = identity;
      this.dmPskKey = key == null ? null : key.clone();
      return this;
    }

    /**
     * Bootstraps at this LwM2M bootstrap server ({@code coaps://host:port}) with the factory
     * bootstrap credential instead of being given a DM server and DM PSK: the bootstrap server
     * writes the DM server account, which is kept in the state file across restarts. The key is
     * copied.
     */
    public Builder bootstrap(URI uri, String bsPskIdentity, byte[] bsPskKey) {
      this.bootstrapServer = uri;
      this.bsPskIdentity = bsPskIdentity;
      this.bsPskKey = bsPskKey == null ? null : bsPskKey.clone();
      return this;
    }

    /**
     * Also registers with another LwM2M server at {@code coap://host:port} (no security), under
     * Short Server ID {@code shortServerId}: a device vendor's or partner's server. It may use the
     * device's other objects; Access Control refuses it every operation on the Enabler Security
     * Parameters (4.01).
     */
    public Builder otherServer(URI uri, int shortServerId) {
      this.otherServer = uri;
      this.otherServerId = shortServerId;
      return this;
    }

    /** Required: where received parameters are kept (owner-only permissions). */
    public Builder stateFile(Path file) {
      this.stateFile = file;
      return this;
    }

    public Builder clock(Clock clock) {
      this.clock = clock;
      return this;
    }

    /** Registration lifetime. Default: 5 minutes. */
    public Builder lifetime(Duration lifetime) {
      this.lifetime = lifetime;
      return this;
    }

    /** Timeout of requests to the DM server. Default: 10 s. */
    public Builder requestTimeout(Duration timeout) {
      this.requestTimeout = timeout;
      return this;
    }

    /**
     * How long to wait before registering again after a failed registration (the DM server was
     * down, or refused). Default: 15 s (Leshan's own default is 10 min).
     */
    public Builder registrationRetry(Duration wait) {
      this.registrationRetry = wait;
      return this;
    }

    /** Timeout of an Enabler connection. Default: 10 s. */
    public Builder connectTimeout(Duration timeout) {
      this.connectTimeout = timeout;
      return this;
    }

    public DeviceClient build() {
      Objects.requireNonNull(endpoint, "endpoint");
      Objects.requireNonNull(stateFile, "stateFile");
      if (dmServer == null && bootstrapServer == null && sim == null) {
        throw new IllegalArgumentException(
            "a device needs a DM server, a bootstrap server, a SIM, or a server and a SIM");
      }
      if (dmServer != null && bootstrapServer != null) {
        throw new IllegalArgumentException(
            "give a DM server (with its DM PSK) or a bootstrap server (with the factory bootstrap"
                + " credential), not both: the bootstrap server names the DM server");
      }
      if (registrationRetry.isNegative()
          || registrationRetry.isZero()
          || registrationRetry.toMillis() > Integer.MAX_VALUE) {
        throw new IllegalArgumentException(
            "the registration retry wait must be positive, got " + registrationRetry);
      }
      if (sim != null && simPin == null) {
        throw new IllegalArgumentException("reading the SIM needs its PIN");
      }
      if (otherServer != null
          && (!"coap".equalsIgnoreCase(otherServer.getScheme())
              || otherServerId < 1
              || otherServerId > 65534
              || otherServerId == SHORT_SERVER_ID)) {
        throw new IllegalArgumentException(
            "the other LwM2M server must be coap://host:port with a Short Server ID from 2 to"
                + " 65534 (1 is the Key Manager's DM server), got "
                + otherServer
                + " and "
                + otherServerId);
      }
      if (bootstrapServer != null) {
        Objects.requireNonNull(bsPskIdentity, "bootstrap PSK identity");
        Objects.requireNonNull(bsPskKey, "bootstrap PSK key");
        if (!"coaps".equalsIgnoreCase(bootstrapServer.getScheme())) {
          throw new IllegalArgumentException(
              "the bootstrap server URI must be coaps://host:port (DTLS-PSK), got "
                  + bootstrapServer);
        }
        return new DeviceClient(this);
      }
      if (dmServer == null) {
        return new DeviceClient(this);
      }
      Objects.requireNonNull(dmPskIdentity, "dmPsk identity");
      Objects.requireNonNull(dmPskKey, "dmPsk key");
      if (!"coaps".equalsIgnoreCase(dmServer.getScheme())) {
        throw new IllegalArgumentException(
            "the DM server URI must be coaps://host:port (DTLS-PSK), got " + dmServer);
      }
      return new DeviceClient(this);
    }
  }
}
