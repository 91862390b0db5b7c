package org.keyprov.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.keyprov.client.ConnectionResult;
import org.keyprov.client.DeviceClient;
import org.keyprov.enabler.Enabler;
import org.keyprov.keys.Assignment;
import org.keyprov.keys.EnablerProfile;
import org.keyprov.keys.ProvisioningState;
import org.keyprov.keys.SimPersonalisation;
import org.keyprov.models.EnablerSecurityObject;
import org.keyprov.uicc.SimProfile;
import org.keyprov.uicc.SimulatedCard;

/** The seed's alternative flow: the device bootstraps its Enabler parameters from the SIM. */
class SimFlowIT {
  private static final InetSocketAddress LOOPBACK =
      new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
  private static final byte[] DM_PSK = "device-dm-psk-0001".getBytes();

  @TempDir Path dir;
  private Harness h;

  @BeforeEach
  void start() {
    h = new Harness(dir);
  }

  @AfterEach
  void stop() throws Exception {
    h.close();
  }

  private Enabler enabler(String fqdn) {
    Enabler e =
        Enabler.builder()
            .nafId(TestEnablers.nafId(fqdn))
            .lookup(h.km.lookup())
            .coapsAddress(LOOPBACK)
            .tlsAddress(LOOPBACK)
            .build();
    e.start();
    h.onClose(e);
    return e;
  }

  private SimProfile personalisedForTwoEnablers() {
    Enabler dtls = enabler("dtls.enabler.test");
    Enabler tls = enabler("tls.enabler.test");
    h.km
        .admin()
        .putEnabler(
            EnablerProfile.dtls("dtls.enabler.test", dtls.coapsUri(), Duration.ofDays(1)), "test");
    h.km
        .admin()
        .putEnabler(
            EnablerProfile.dtls("tls.enabler.test", tls.tlsUri(), Duration.ofDays(1)), "test");
    h.km.admin().addDevice("ep1", "ep1-dm", DM_PSK, "test");
    SimPersonalisation sim =
        h.km
            .admin()
            .personaliseSim("ep1", List.of("dtls.enabler.test", "tls.enabler.test"), "test");
    return SimProfile.of(sim, "2468");
  }

  private DeviceClient simOnlyDevice(SimProfile profile) {
    return DeviceClient.builder()
        .endpoint("ep1")
        .stateFile(dir.resolve("ep1.state"))
        .sim(SimulatedCard.personalised(profile), profile.pin())
        .build();
  }

  @Test
  void a_sim_only_device_connects_over_dtls_and_tls_without_any_dm_server() {
    SimProfile profile = personalisedForTwoEnablers();

    try (DeviceClient device = simOnlyDevice(profile)) {
      assertThat(device.enablerParameters())
          .hasSize(2)
          .allSatisfy(s -> assertThat(s.source()).isEqualTo(EnablerSecurityObject.SOURCE_SIM));
      assertThat(h.dm.registration("ep1")).isEmpty();

      ConnectionResult overDtls = device.connector().connect("dtls.enabler.test");
      ConnectionResult overTls = device.connector().connect("tls.enabler.test");

      assertThat(overDtls.success()).as(overDtls.detail()).isTrue();
      assertThat(overTls.success()).as(overTls.detail()).isTrue();
      assertThat(overTls.detail()).startsWith("identity=" + profile.btid().value());
    }
  }

  @Test
  void the_dm_server_leaves_sim_parameters_alone_unless_the_operator_asks() {
    SimProfile profile = personalisedForTwoEnablers();
    DeviceClient device =
        DeviceClient.builder()
            .endpoint("ep1")
            .dmServer(h.dm.coapsUri())
            .dmPsk("ep1-dm", DM_PSK)
            .stateFile(dir.resolve("ep1.state"))
            .sim(SimulatedCard.personalised(profile), profile.pin())
            .build();
    h.onClose(device);
    device.start();

    await().until(() -> h.dm.registration("ep1").isPresent());
    h.dm.provisionNow("ep1");
    // nothing is due for a SIM assignment: the device's instances stay the SIM's
    await()
        .during(java.time.Duration.ofMillis(700))
        .atMost(java.time.Duration.ofSeconds(3))
        .until(
            () ->
                device.enablerParameters().stream().allMatch(p -> p.source() == 1)
                    && device.enablerParameters().size() == 2);
    assertThat(h.km.ledger().assignments("ep1"))
        .extracting(Assignment::state)
        .containsOnly(ProvisioningState.SIM);
    assertThat(h.km.ledger().assignments("ep1"))
        .extracting(Assignment::detail)
        .allSatisfy(d -> assertThat(d).contains("SIM personalised with key version 1"));
    assertThat(device.enablerParameters()).allSatisfy(s -> assertThat(s.source()).isEqualTo(1));

    h.km.ledger().reprovision("ep1", "tls.enabler.test", true, "operator");
    h.dm.provisionNow("ep1");

    await()
        .until(
            () ->
                device.enablerParameters().stream()
                    .anyMatch(s -> s.nafFqdn().equals("tls.enabler.test") && s.source() == 0));
    assertThat(device.connector().connect("tls.enabler.test").success()).isTrue();
  }

  @Test
  void a_wrong_pin_stops_the_device_with_the_cards_reason() {
    SimProfile profile = personalisedForTwoEnablers();
    var card = SimulatedCard.personalised(profile);
    var builder =
        DeviceClient.builder()
            .endpoint("ep1")
            .stateFile(dir.resolve("ep1.state"))
            .sim(card, "1111");

    org.assertj.core.api.Assertions.assertThatThrownBy(builder::build)
        .hasMessageContaining("VERIFY PIN failed: 63C2 wrong PIN, 2 tries left");
  }

  @Test
  void keyprov_sim_personalize_writes_an_owner_only_profile_and_a_sim_device_uses_it()
      throws Exception {
    Enabler dtls = enabler("dtls.enabler.test");
    Path data = dir.resolve("cli-data");
    assertThat(
            Cli.run(
                    "admin",
                    "add-enabler",
                    "--data-dir",
                    data.toString(),
                    "--fqdn",
                    "dtls.enabler.test",
                    "--uri",
                    dtls.coapsUri().toString())
                .exitCode())
        .isZero();
    assertThat(
            Cli.run("admin", "add-device", "--data-dir", data.toString(), "--endpoint", "ep9")
                .exitCode())
        .isZero();
    Path profile = dir.resolve("ep9.sim-profile");

    Cli personalise =
        Cli.run(
            "sim",
            "personalize",
            "--data-dir",
            data.toString(),
            "--endpoint",
            "ep9",
            "--enabler",
            "dtls.enabler.test",
            "--pin",
            "8642",
            "--out",
            profile.toString());

    assertThat(personalise.exitCode()).as(personalise.err()).isZero();
    assertThat(personalise.out())
        .contains("CARRIES THE ROOT KEY Ks")
        .contains("dtls.enabler.test: SIM personalised with key version 1");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(profile)))
        .isEqualTo("rw-------");
    assertThat(
            Cli.run(
                    "sim",
                    "personalize",
                    "--data-dir",
                    data.toString(),
                    "--endpoint",
                    "ep9",
                    "--enabler",
                    "dtls.enabler.test",
                    "--out",
                    profile.toString())
                .err())
        .contains("never overwrites");
    assertThat(Cli.run("admin", "audit", "--data-dir", data.toString()).out())
        .contains("sim.personalised");
  }
}
