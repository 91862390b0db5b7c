package org.keyprov.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import org.eclipse.leshan.core.ResponseCode;
import org.eclipse.leshan.core.endpoint.Protocol;
import org.eclipse.leshan.core.node.LwM2mObjectInstance;
import org.eclipse.leshan.core.node.LwM2mSingleResource;
import org.eclipse.leshan.core.request.CreateRequest;
import org.eclipse.leshan.core.request.DeleteRequest;
import org.eclipse.leshan.core.request.DiscoverRequest;
import org.eclipse.leshan.core.request.ExecuteRequest;
import org.eclipse.leshan.core.request.ObserveRequest;
import org.eclipse.leshan.core.request.ReadRequest;
import org.eclipse.leshan.core.request.WriteRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.keyprov.client.ConnectionResult;
import org.keyprov.client.DeviceClient;
import org.keyprov.keys.AuditEvent;
import org.keyprov.keys.BootstrapStatus;
import org.keyprov.keys.ProvisioningState;
import org.keyprov.models.EnablerSecurityObject;
import org.keyprov.server.bootstrap.BootstrapServer;

/**
 * Devices that arrive with a factory bootstrap credential only: Leshan's bootstrap server in
 * keyprov gives them a DM PSK nobody typed, the DM server accepts it, provisioning and an Enabler
 * handshake follow; a DM PSK is rotated through the same path. Real sockets, real DTLS, H2.
 */
class BootstrapIT {
  private static final String ENABLER = "bs.enabler.test";

  @TempDir Path dir;
  private Harness h;
  private BootstrapServer bs;
  private final io.micrometer.core.instrument.simple.SimpleMeterRegistry meters =
      new io.micrometer.core.instrument.simple.SimpleMeterRegistry();

  @BeforeEach
  void start() {
    h = new Harness(dir);
    bs =
        BootstrapServer.builder()
            .credentials(h.km.bootstrapCredentials())
            .audit(h.km.audit())
            .coapsAddress(Harness.LOOPBACK_ANY_PORT)
            .dmServer(h.dm.coapsUri())
            .meters(meters)
            .provisioning(h.km.admin(), h.km.ledger())
            .build();
    bs.start();
    h.onClose(bs);
    enabler = h.givenEnabler(ENABLER);
  }

  private org.keyprov.keys.EnablerProfile enabler;

  @AfterEach
  void stop() throws Exception {
    h.close();
  }

  @Test
  void a_device_with_only_a_factory_credential_bootstraps_gets_its_keys_and_keeps_them()
      throws Exception {
    byte[] factory = givenBootstrapDevice("bs1");

    DeviceClient device = startDevice("bs1", "bs1-factory", factory);

    h.awaitState("bs1", ENABLER, ProvisioningState.PROVISIONED);
    BootstrapStatus status = h.km.admin().bootstrapStatus("bs1").orElseThrow();
    assertThat(status.bootstrappedAt()).isNotNull();
    assertThat(status.dmPskVersion()).isEqualTo(2);
    assertThat(status.pendingSince()).isNull();
    assertThat(h.km.dmCredentials().byEndpoint("bs1").orElseThrow().identity())
        .isEqualTo("bs1#dm2");
    assertThat(meters.counter("keyprov.bootstraps", "outcome", "finished").count()).isEqualTo(1);
    ConnectionResult result = device.connector().connect(ENABLER);
    assertThat(result.success()).as(result.detail()).isTrue();
    List<AuditEvent> audit = h.km.audit().recent(50);
    assertThat(audit.stream().map(AuditEvent::action))
        .contains("device.dm_psk_issued", "device.bootstrapped", "device.dm_psk_rotated");
    byte[] dmPsk = h.km.dmCredentials().byEndpoint("bs1").orElseThrow().key();
    assertThat(audit.toString())
        .doesNotContain(HexFormat.of().formatHex(factory))
        .doesNotContain(HexFormat.of().formatHex(dmPsk));

    // restarted, it registers with what it was given, without bootstrapping again
    device.close();
    await().until(() -> h.dm.registration("bs1").isEmpty());
    DeviceClient again = startDevice("bs1", "bs1-factory", factory);
    await().atMost(Duration.ofSeconds(30)).until(again::isRegistered);
    assertThat(bootstraps("bs1")).isEqualTo(1);
    assertThat(again.connector().connect(ENABLER).success()).isTrue();
    // with the Access Control the bootstrap server wrote: the DM server (1) owns the Enabler keys
    assertThat(
            java.nio.file.Files.readString(
                dir.resolve("bs1-" + "bs1-factory".hashCode() + ".state")))
        .contains("acl.0.object=33001", "acl.0.owner=1")
        .contains("dm.identity=bs1\\#dm2");
  }

  @Test
  void a_rotated_dm_psk_is_written_by_the_bootstrap_server_and_the_old_one_is_then_refused() {
    byte[] factory = givenBootstrapDevice("bs1");
    DeviceClient device = startDevice("bs1", "bs1-factory", factory);
    h.awaitState("bs1", ENABLER, ProvisioningState.PROVISIONED);
    String old = h.km.dmCredentials().byEndpoint("bs1").orElseThrow().identity();
    byte[] oldKey = h.km.dmCredentials().byEndpoint("bs1").orElseThrow().key();

    // the invalidation feed tells the DM server, which asks the device to bootstrap again
    h.km.admin().requestDmRotation("bs1", "operator");

    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> h.km.admin().bootstrapStatus("bs1").orElseThrow().dmPskVersion() == 3);
    await().atMost(Duration.ofSeconds(30)).until(device::isRegistered);
    assertThat(h.km.dmCredentials().byEndpoint("bs1").orElseThrow().identity())
        .isEqualTo("bs1#dm3");
    assertThat(h.km.admin().bootstrapStatus("bs1").orElseThrow().rotationRequestedAt()).isNull();
    assertThat(bootstraps("bs1")).isEqualTo(2);
    assertThat(device.connector().connect(ENABLER).success()).isTrue();

    // whoever kept the old DM PSK cannot register with it any more
    assertThat(h.km.dmCredentials().byIdentity(old)).isEmpty();
    DeviceClient copy = h.startDevice("bs1", old, oldKey);
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                h.km.audit().recent(50).stream()
                    .anyMatch(
                        e -> e.action().equals("dm.handshake.refused") && e.subject().equals(old)));
    assertThat(copy.isRegistered()).isFalse();
  }

  @Test
  void a_fleet_rotated_while_it_keeps_handshaking_loses_no_device_and_no_handshake()
      throws Exception {
    int fleet = 8;
    List<DeviceClient> devices = new java.util.ArrayList<>();
    java.util.Map<String, String> firstIdentity = new java.util.HashMap<>();
    for (int i = 0; i < fleet; i++) {
      String ep = "fleet-" + i;
      devices.add(startDevice(ep, ep + "-factory", givenBootstrapDevice(ep)));
    }
    for (int i = 0; i < fleet; i++) {
      String ep = "fleet-" + i;
      h.awaitState(ep, ENABLER, ProvisioningState.PROVISIONED);
      firstIdentity.put(ep, h.km.dmCredentials().byEndpoint(ep).orElseThrow().identity());
    }
    java.util.concurrent.atomic.AtomicInteger handshakes =
        new java.util.concurrent.atomic.AtomicInteger();
    List<String> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
    java.util.concurrent.atomic.AtomicBoolean rotating =
        new java.util.concurrent.atomic.AtomicBoolean(true);
    java.util.concurrent.ExecutorService load =
        java.util.concurrent.Executors.newFixedThreadPool(4);
    for (DeviceClient d : devices) {
      load.execute(
          () -> {
            while (rotating.get()) {
              ConnectionResult r = d.connector().connect(ENABLER);
              handshakes.incrementAndGet();
              if (!r.success()) {
                failures.add(d.endpoint() + ": " + r.detail());
              }
            }
          });
    }

    for (int i = 0; i < fleet; i++) {
      h.km.admin().requestDmRotation("fleet-" + i, "operator");
    }
    await()
        .atMost(Duration.ofSeconds(60))
        .until(
            () ->
                java.util.stream.IntStream.range(0, fleet)
                    .allMatch(
                        i ->
                            h.km.admin().bootstrapStatus("fleet-" + i).orElseThrow().dmPskVersion()
                                == 3));
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> devices.stream().allMatch(DeviceClient::isRegistered));
    int atRotation = handshakes.get();
    await().atMost(Duration.ofSeconds(30)).until(() -> handshakes.get() > atRotation + fleet);
    rotating.set(false);
    load.shutdown();
    assertThat(load.awaitTermination(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();

    // the Enabler keys never depended on the DM PSK: no handshake failed during the rotation
    assertThat(failures).isEmpty();
    assertThat(handshakes.get()).isGreaterThan(2 * fleet);
    for (int i = 0; i < fleet; i++) {
      String ep = "fleet-" + i;
      assertThat(h.km.dmCredentials().byIdentity(firstIdentity.get(ep))).as(ep).isEmpty();
      assertThat(h.km.dmCredentials().byEndpoint(ep).orElseThrow().identity())
          .isEqualTo(ep + "#dm3");
    }
  }

  @Test
  void a_rotated_factory_credential_reaches_the_device_at_a_bootstrap_and_retires_the_old_one()
      throws Exception {
    byte[] factory = givenBootstrapDevice("bs1");
    DeviceClient device = startDevice("bs1", "bs1-factory", factory);
    h.awaitState("bs1", ENABLER, ProvisioningState.PROVISIONED);
    Path state = dir.resolve("bs1-" + "bs1-factory".hashCode() + ".state");

    h.km.admin().rotateBootstrapPsk("bs1", "operator");

    // the device bootstraps again (with the factory credential) and is given the new one
    await().atMost(Duration.ofSeconds(30)).until(() -> dmPskVersion("bs1") == 3);
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> java.nio.file.Files.readString(state).contains("bs.identity=bs1\\#bs2"));
    assertThat(h.km.bootstrapCredentials().byIdentity("bs1-factory")).isPresent();

    // its next bootstrap uses the new one, which retires the factory credential
    h.km.admin().requestDmRotation("bs1", "operator");
    await().atMost(Duration.ofSeconds(30)).until(() -> dmPskVersion("bs1") == 4);
    assertThat(h.km.admin().bootstrapStatus("bs1").orElseThrow().bsPskVersion()).isEqualTo(2);
    assertThat(h.km.bootstrapCredentials().byIdentity("bs1-factory")).isEmpty();
    assertThat(h.km.audit().recent(100).stream().map(AuditEvent::action))
        .contains("device.bs_psk_issued", "device.bs_psk_rotated");

    // restarted with what the factory flashed, it bootstraps with the credential it was given
    device.close();
    await().until(() -> h.dm.registration("bs1").isEmpty());
    DeviceClient again = startDevice("bs1", "bs1-factory", factory);
    await().atMost(Duration.ofSeconds(30)).until(again::isRegistered);
    h.km.admin().requestDmRotation("bs1", "operator");
    await().atMost(Duration.ofSeconds(30)).until(() -> dmPskVersion("bs1") == 5);
    await().atMost(Duration.ofSeconds(30)).until(again::isRegistered);
  }

  private int dmPskVersion(String endpoint) {
    return h.km.admin().bootstrapStatus(endpoint).orElseThrow().dmPskVersion();
  }

  @Test
  void an_enabler_marked_at_bootstrap_reaches_the_device_before_it_ever_registers()
      throws Exception {
    h.km.admin().putEnabler(enabler.atBootstrap(true), "operator");
    byte[] factory = givenBootstrapDevice("bs1");
    List<Boolean> registeredWhenGiven = new java.util.concurrent.CopyOnWriteArrayList<>();
    DeviceClient device =
        DeviceClient.builder()
            .endpoint("bs1")
            .bootstrap(bs.coapsUri(), "bs1-factory", factory)
            .stateFile(dir.resolve("bs1-early.state"))
            .requestTimeout(Duration.ofSeconds(5))
            .build();
    device.onParametersChanged(p -> registeredWhenGiven.add(device.isRegistered()));
    device.start();
    h.onClose(device);

    h.awaitState("bs1", ENABLER, ProvisioningState.PROVISIONED);
    await().atMost(Duration.ofSeconds(30)).until(device::isRegistered);
    assertThat(registeredWhenGiven).isNotEmpty().first().isEqualTo(false);
    assertThat(device.enablerParameters())
        .singleElement()
        .satisfies(p -> assertThat(p.keyVersion()).isEqualTo(1));
    assertThat(h.km.ledger().assignments("bs1").get(0).keyVersion()).contains(1);
    assertThat(device.connector().connect(ENABLER).success()).isTrue();
    assertThat(h.km.audit().recent(50))
        .filteredOn(e -> e.action().equals("device.bootstrapped"))
        .singleElement()
        .satisfies(e -> assertThat(e.detail()).contains("parameters of " + ENABLER));
    // and the DM server alone may touch them, as for those it writes itself
    assertThat(java.nio.file.Files.readString(dir.resolve("bs1-early.state")))
        .contains("acl.1.object=33001", "acl.1.instance=0", "acl.1.owner=1");
  }

  @Test
  void unknown_and_wrong_bootstrap_credentials_and_undeclared_endpoints_are_refused_and_audited() {
    byte[] factory = givenBootstrapDevice("bs1");

    DeviceClient unknown = startDevice("bs1", "nobody-factory", factory);
    DeviceClient wrongKey = startDevice("bs1", "bs1-factory", "not-the-factory-key".getBytes());
    DeviceClient stranger = startDevice("stranger", "bs1-factory", factory);

    await()
        .atMost(Duration.ofSeconds(40))
        .untilAsserted(
            () ->
                assertThat(h.km.audit().recent(50))
                    .filteredOn(e -> e.action().equals("bootstrap.refused"))
                    .extracting(AuditEvent::subject)
                    .contains("nobody-factory", "bs1-factory", "stranger"));
    assertThat(h.km.audit().recent(50))
        .filteredOn(e -> e.action().equals("bootstrap.refused"))
        .anySatisfy(e -> assertThat(e.detail()).contains("bootstrap PSK is not the factory"))
        .anySatisfy(e -> assertThat(e.detail()).contains("not this endpoint's factory"));
    assertThat(bootstraps("bs1")).isZero();
    assertThat(meters.counter("keyprov.bootstraps", "outcome", "refused").count()).isPositive();
    assertThat(meters.counter("keyprov.bootstraps", "outcome", "finished").count()).isZero();
    assertThat(h.dm.registration("stranger")).isEmpty();
    assertThat(List.of(unknown, wrongKey, stranger)).noneMatch(DeviceClient::isRegistered);
  }

  @Test
  void keyprov_device_with_only_the_factory_credential_runs_the_whole_path() {
    byte[] factory = givenBootstrapDevice("bs1");

    Cli run =
        Cli.run(
            "device",
            "--endpoint",
            "bs1",
            "--bootstrap",
            bs.coapsUri().toString(),
            "--bs-identity",
            "bs1-factory",
            "--bs-psk",
            HexFormat.of().formatHex(factory),
            "--state-file",
            dir.resolve("cli.state").toString(),
            "--once",
            "--timeout",
            "30s");

    assertThat(run.exitCode()).as(run.out() + run.err()).isZero();
    assertThat(run.out()).contains("registered with the DM server", "connected to " + ENABLER);
    assertThat(bootstraps("bs1")).isEqualTo(1);
    assertThat(java.nio.file.Files.exists(dir.resolve("cli.state"))).isTrue();

    Cli both =
        Cli.run(
            "device", "--endpoint", "x", "--server", "coaps://a:1", "--bootstrap", "coaps://b:2");
    assertThat(both.exitCode()).isNotZero();
    assertThat(both.err()).contains("give --server or --bootstrap, not both");
    Cli noKey = Cli.run("device", "--endpoint", "x", "--bootstrap", "coaps://b:2");
    assertThat(noKey.err()).contains("--bootstrap needs --bs-psk");
  }

  @Test
  void a_second_lwm2m_server_on_the_device_may_read_the_device_object_but_not_the_enabler_keys()
      throws Exception {
    org.eclipse.leshan.server.LeshanServer vendor = plainLeshanServer();
    byte[] factory = givenBootstrapDevice("bs1");
    DeviceClient device =
        DeviceClient.builder()
            .endpoint("bs1")
            .bootstrap(bs.coapsUri(), "bs1-factory", factory)
            .otherServer(vendor.getEndpoint(Protocol.COAP).getURI(), 2)
            .stateFile(dir.resolve("bs1-vendor.state"))
            .requestTimeout(Duration.ofSeconds(5))
            .build();
    device.start();
    h.onClose(device);
    h.awaitState("bs1", ENABLER, ProvisioningState.PROVISIONED);
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> vendor.getRegistrationService().getByEndpoint("bs1") != null);
    org.eclipse.leshan.server.registration.Registration atVendor =
        vendor.getRegistrationService().getByEndpoint("bs1");
    int instance = device.enablerParameters().get(0).instanceId();

    assertThat(vendor.send(atVendor, new ReadRequest(3, 0, 0), 5000).getCode())
        .isEqualTo(ResponseCode.CONTENT);
    List<org.eclipse.leshan.core.request.DownlinkRequest<?>> onEnablerKeys =
        List.of(
            new ReadRequest(EnablerSecurityObject.ID),
            new ReadRequest(EnablerSecurityObject.ID, instance),
            new ReadRequest(EnablerSecurityObject.ID, instance, EnablerSecurityObject.PSK_IDENTITY),
            new ReadRequest(
                EnablerSecurityObject.ID, instance, EnablerSecurityObject.PSK_SECRET_KEY),
            new DiscoverRequest(EnablerSecurityObject.ID),
            new ObserveRequest(EnablerSecurityObject.ID, instance),
            new WriteRequest(
                EnablerSecurityObject.ID,
                instance,
                EnablerSecurityObject.PSK_SECRET_KEY,
                new byte[16]),
            new ExecuteRequest(
                EnablerSecurityObject.ID, instance, EnablerSecurityObject.INVALIDATE),
            new DeleteRequest(EnablerSecurityObject.ID, instance),
            new CreateRequest(
                EnablerSecurityObject.ID,
                new LwM2mObjectInstance(
                    7,
                    LwM2mSingleResource.newStringResource(
                        EnablerSecurityObject.ENABLER_URI, "coaps://evil.example:5684"))));
    for (org.eclipse.leshan.core.request.DownlinkRequest<?> request : onEnablerKeys) {
      assertThat(vendor.send(atVendor, request, 5000).getCode())
          .as("%s by the other server", request)
          .isEqualTo(ResponseCode.UNAUTHORIZED);
    }
    // the Key Manager's own server still reads them, the key stays write-only, and it works
    assertThat(
            h.dm
                .send(
                    "bs1",
                    new ReadRequest(
                        EnablerSecurityObject.ID, instance, EnablerSecurityObject.PSK_IDENTITY))
                .getCode())
        .isEqualTo(ResponseCode.CONTENT);
    assertThat(
            h.dm
                .send(
                    "bs1",
                    new ReadRequest(
                        EnablerSecurityObject.ID, instance, EnablerSecurityObject.PSK_SECRET_KEY))
                .getCode())
        .isEqualTo(ResponseCode.METHOD_NOT_ALLOWED);
    assertThat(device.enablerParameters()).hasSize(1);
    assertThat(device.connector().connect(ENABLER).success()).isTrue();
    // and the device lists the Access Control instances the bootstrap server wrote and it made
    assertThat(h.dm.send("bs1", new ReadRequest(2)).getCode()).isEqualTo(ResponseCode.CONTENT);
  }

  private org.eclipse.leshan.server.LeshanServer plainLeshanServer() {
    org.eclipse.leshan.server.LeshanServerBuilder builder =
        new org.eclipse.leshan.server.LeshanServerBuilder();
    builder.setObjectModelProvider(
        new org.eclipse.leshan.server.model.VersionedModelProvider(
            org.keyprov.models.KeyprovModels.loadWithDefaults()));
    builder.setEndpointsProviders(
        new org.eclipse.leshan.server.californium.endpoint.CaliforniumServerEndpointsProvider
                .Builder(
                new org.eclipse.leshan.server.californium.endpoint.coap
                    .CoapServerProtocolProvider())
            .addEndpoint(Harness.LOOPBACK_ANY_PORT, Protocol.COAP)
            .build());
    org.eclipse.leshan.server.LeshanServer server = builder.build();
    server.start();
    h.onClose(server::destroy);
    return server;
  }

  private byte[] givenBootstrapDevice(String endpoint) {
    byte[] factory = (endpoint + "-factory-key-0001").getBytes();
    h.km.admin().addBootstrapDevice(endpoint, endpoint + "-factory", factory, "test");
    h.km.admin().assign(endpoint, ENABLER, "test");
    return factory;
  }

  private DeviceClient startDevice(String endpoint, String bsIdentity, byte[] factory) {
    DeviceClient device =
        DeviceClient.builder()
            .endpoint(endpoint)
            .bootstrap(bs.coapsUri(), bsIdentity, factory)
            .stateFile(dir.resolve(endpoint + "-" + bsIdentity.hashCode() + ".state"))
            .requestTimeout(Duration.ofSeconds(5))
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    device.start();
    h.onClose(device);
    return device;
  }

  private long bootstraps(String endpoint) {
    return h.km.audit().recent(100).stream()
        .filter(e -> e.action().equals("device.bootstrapped") && e.subject().equals(endpoint))
        .count();
  }
}
