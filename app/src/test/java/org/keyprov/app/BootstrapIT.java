package org.keyprov.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.keyprov.client.ConnectionResult;
import org.keyprov.client.DeviceClient;
import org.keyprov.keys.AuditEvent;
import org.keyprov.keys.BootstrapStatus;
import org.keyprov.keys.ProvisioningState;
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

  @BeforeEach
  void start() {
    h = new Harness(dir);
    bs =
        BootstrapServer.builder()
            .credentials(h.km.bootstrapCredentials())
            .audit(h.km.audit())
            .coapsAddress(Harness.LOOPBACK_ANY_PORT)
            .dmServer(h.dm.coapsUri())
            .build();
    bs.start();
    h.onClose(bs);
    h.givenEnabler(ENABLER);
  }

  @AfterEach
  void stop() throws Exception {
    h.close();
  }

  @Test
  void a_device_with_only_a_factory_credential_bootstraps_gets_its_keys_and_keeps_them() {
    byte[] factory = givenBootstrapDevice("bs1");

    DeviceClient device = startDevice("bs1", "bs1-factory", factory);

    h.awaitState("bs1", ENABLER, ProvisioningState.PROVISIONED);
    BootstrapStatus status = h.km.admin().bootstrapStatus("bs1").orElseThrow();
    assertThat(status.bootstrappedAt()).isNotNull();
    assertThat(status.dmPskVersion()).isEqualTo(2);
    assertThat(status.pendingSince()).isNull();
    assertThat(h.km.dmCredentials().byEndpoint("bs1").orElseThrow().identity())
        .isEqualTo("bs1#dm2");
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
