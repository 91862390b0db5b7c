package org.keyprov.keys.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;
import org.keyprov.keys.AuditEvent;
import org.keyprov.keys.BootstrapStatus;
import org.keyprov.keys.DmPsk;
import org.keyprov.keys.KeyManager;
import org.keyprov.keys.KeyManagerException;
import org.keyprov.keys.store.testing.TestDatabase;
import org.keyprov.keys.store.testing.TestKeyManagers;
import org.keyprov.keys.testing.MutableClock;
import org.keyprov.keys.testing.RecordingRandom;

/** Factory bootstrap credentials, DM PSKs issued at bootstrap and their rotation. */
@ParameterizedClass
@EnumSource(TestDatabase.class)
class BootstrapCredentialsTest {
  @Parameter TestDatabase database;
  private static final byte[] BS_PSK = "factory-key-0001".getBytes();

  @TempDir Path dir;
  private final MutableClock clock = new MutableClock(Instant.parse("2026-12-06T12:00:00Z"));
  private DataSource ds;
  private KeyManager km;

  @BeforeEach
  void givenADeviceWithAFactoryCredential() {
    ds = database.create(dir);
    km = TestKeyManagers.started(ds, clock, new RecordingRandom());
    km.admin().addBootstrapDevice("bs1", "bs1-factory", BS_PSK, "test");
  }

  @Test
  void a_bootstrap_device_has_its_factory_credential_and_a_dm_psk_nobody_was_shown() {
    DmPsk factory = km.bootstrapCredentials().byIdentity("bs1-factory").orElseThrow();
    assertThat(factory.endpoint()).isEqualTo("bs1");
    assertThat(factory.key()).isEqualTo(BS_PSK);
    assertThat(km.bootstrapCredentials().byEndpoint("bs1")).isPresent();

    DmPsk dm = km.dmCredentials().byEndpoint("bs1").orElseThrow();
    assertThat(dm.identity()).isEqualTo("bs1#dm1");
    assertThat(dm.key()).hasSize(16).isNotEqualTo(BS_PSK);
    BootstrapStatus status = km.admin().bootstrapStatus("bs1").orElseThrow();
    assertThat(status.bsPskIdentity()).isEqualTo("bs1-factory");
    assertThat(status.dmPskVersion()).isEqualTo(1);
    assertThat(status.bootstrappedAt()).isNull();
    // the factory key is sealed at rest like every other secret
    assertThat(km.audit().recent(5).toString()).doesNotContain(HexFormat.of().formatHex(BS_PSK));
  }

  @Test
  void an_issued_dm_psk_works_beside_the_old_one_until_the_device_registers_with_it() {
    DmPsk old = km.dmCredentials().byEndpoint("bs1").orElseThrow();

    DmPsk issued = km.bootstrapCredentials().issueDmPsk("bs1");

    assertThat(issued.pending()).isTrue();
    assertThat(issued.identity()).isEqualTo("bs1#dm2");
    assertThat(km.dmCredentials().byIdentity("bs1#dm2").orElseThrow().key())
        .isEqualTo(issued.key());
    assertThat(km.dmCredentials().byIdentity("bs1#dm2").orElseThrow().pending()).isTrue();
    assertThat(km.dmCredentials().byIdentity("bs1#dm1").orElseThrow().key()).isEqualTo(old.key());
    assertThat(km.dmCredentials().byEndpoint("bs1").orElseThrow().identity()).isEqualTo("bs1#dm1");
    assertThat(km.admin().bootstrapStatus("bs1").orElseThrow().pendingSince())
        .isEqualTo(clock.instant());

    km.dmCredentials().confirm("bs1", "bs1#dm2");

    DmPsk current = km.dmCredentials().byEndpoint("bs1").orElseThrow();
    assertThat(current.identity()).isEqualTo("bs1#dm2");
    assertThat(current.key()).isEqualTo(issued.key());
    assertThat(current.pending()).isFalse();
    assertThat(km.dmCredentials().byIdentity("bs1#dm1")).isEmpty();
    BootstrapStatus status = km.admin().bootstrapStatus("bs1").orElseThrow();
    assertThat(status.dmPskVersion()).isEqualTo(2);
    assertThat(status.pendingSince()).isNull();
    assertThat(km.audit().recent(5).stream().map(AuditEvent::action))
        .contains("device.dm_psk_issued", "device.dm_psk_rotated");
  }

  @Test
  void confirming_an_identity_that_is_not_the_pending_one_changes_nothing() {
    km.bootstrapCredentials().issueDmPsk("bs1");

    km.dmCredentials().confirm("bs1", "bs1#dm1");
    km.dmCredentials().confirm("bs1", "someone-else");

    assertThat(km.dmCredentials().byEndpoint("bs1").orElseThrow().identity()).isEqualTo("bs1#dm1");
    assertThat(km.dmCredentials().byIdentity("bs1#dm2")).isPresent();
  }

  @Test
  void a_second_bootstrap_before_registering_replaces_the_pending_dm_psk() {
    DmPsk first = km.bootstrapCredentials().issueDmPsk("bs1");
    clock.advance(Duration.ofMinutes(1));
    DmPsk second = km.bootstrapCredentials().issueDmPsk("bs1");

    assertThat(second.identity()).isEqualTo(first.identity());
    assertThat(km.dmCredentials().byIdentity(second.identity()).orElseThrow().key())
        .isEqualTo(second.key())
        .isNotEqualTo(first.key());
  }

  @Test
  void a_rotation_request_is_flagged_on_the_credential_until_the_new_one_is_used() {
    km.admin().requestDmRotation("bs1", "test");

    assertThat(km.dmCredentials().byIdentity("bs1#dm1").orElseThrow().rotationDue()).isTrue();
    assertThat(km.admin().bootstrapStatus("bs1").orElseThrow().rotationRequestedAt())
        .isEqualTo(clock.instant());

    DmPsk issued = km.bootstrapCredentials().issueDmPsk("bs1");
    km.dmCredentials().confirm("bs1", issued.identity());

    assertThat(km.dmCredentials().byEndpoint("bs1").orElseThrow().rotationDue()).isFalse();
    assertThat(km.admin().bootstrapStatus("bs1").orElseThrow().rotationRequestedAt()).isNull();
  }

  @Test
  void a_device_without_a_factory_credential_cannot_be_rotated_until_it_gets_one() {
    km.admin().addDevice("dm1", "dm1-id", "0123456789abcdef".getBytes(), "test");

    assertThatThrownBy(() -> km.admin().requestDmRotation("dm1", "test"))
        .isInstanceOf(KeyManagerException.class)
        .hasMessageContaining("no factory bootstrap credential");
    assertThatThrownBy(() -> km.admin().requestDmRotation("nobody", "test"))
        .isInstanceOf(KeyManagerException.class)
        .extracting(e -> ((KeyManagerException) e).kind())
        .isEqualTo(KeyManagerException.Kind.NOT_FOUND);

    km.admin().setBootstrapPsk("dm1", "dm1-factory", BS_PSK, "test");
    km.admin().requestDmRotation("dm1", "test");
    assertThat(km.bootstrapCredentials().byIdentity("dm1-factory").orElseThrow().endpoint())
        .isEqualTo("dm1");
  }

  @Test
  void factory_identities_are_one_per_device_and_keys_are_checked() {
    assertThatThrownBy(() -> km.admin().addBootstrapDevice("bs2", "bs1-factory", BS_PSK, "test"))
        .isInstanceOf(KeyManagerException.class)
        .hasMessageContaining("already belongs to device bs1");
    assertThat(km.admin().device("bs2")).isEmpty();
    assertThatThrownBy(() -> km.admin().addBootstrapDevice("bs2", "bs2-f", new byte[4], "test"))
        .isInstanceOf(KeyManagerException.class)
        .hasMessageContaining("the bootstrap PSK must be 16 to 64 bytes");
  }

  @Test
  void many_factory_credentials_are_added_all_or_none() {
    java.util.List<org.keyprov.keys.NewDevice> batch =
        java.util.List.of(
            new org.keyprov.keys.NewDevice("bs2", "bs2-f", BS_PSK, true),
            new org.keyprov.keys.NewDevice("bs3", "bs1-factory", BS_PSK, true));

    assertThatThrownBy(() -> km.admin().addDevices(batch, "test"))
        .isInstanceOf(KeyManagerException.class)
        .hasMessageContaining("already belongs to device bs1");
    assertThat(km.admin().device("bs2")).isEmpty();

    km.admin()
        .addDevices(
            java.util.List.of(
                new org.keyprov.keys.NewDevice("bs2", "bs2-f", BS_PSK, true),
                new org.keyprov.keys.NewDevice("bs3", "bs3-f", BS_PSK, true)),
            "test");
    assertThat(km.bootstrapCredentials().byIdentity("bs3-f").orElseThrow().endpoint())
        .isEqualTo("bs3");
    assertThat(km.dmCredentials().byEndpoint("bs2").orElseThrow().identity()).isEqualTo("bs2#dm1");
  }

  @Test
  void the_rotation_policy_asks_for_dm_psks_older_than_the_limit_once() {
    km.admin().addDevice("flashed", "flashed-id", "0123456789abcdef".getBytes(), "test");
    clock.advance(Duration.ofDays(10));
    km.admin().addBootstrapDevice("bs2", "bs2-factory", "factory-key-0002".getBytes(), "test");

    assertThat(km.bootstrapCredentials().requestRotations(Duration.ofDays(30), 100)).isZero();
    clock.advance(Duration.ofDays(21));
    // bs1 is 31 days old; bs2 is 21; the flashed device has no factory credential to rotate with
    assertThat(km.bootstrapCredentials().requestRotations(Duration.ofDays(30), 100)).isEqualTo(1);
    assertThat(km.admin().bootstrapStatus("bs1").orElseThrow().rotationRequestedAt()).isNotNull();
    assertThat(km.admin().bootstrapStatus("bs2").orElseThrow().rotationRequestedAt()).isNull();
    // under way: not asked again
    assertThat(km.bootstrapCredentials().requestRotations(Duration.ofDays(30), 100)).isZero();

    // once rotated, its DM PSK counts from then
    km.dmCredentials().confirm("bs1", km.bootstrapCredentials().issueDmPsk("bs1").identity());
    clock.advance(Duration.ofDays(10));
    assertThat(km.bootstrapCredentials().requestRotations(Duration.ofDays(30), 100)).isEqualTo(1);
    assertThat(km.admin().bootstrapStatus("bs2").orElseThrow().rotationRequestedAt()).isNotNull();
    assertThat(km.admin().bootstrapStatus("bs1").orElseThrow().rotationRequestedAt()).isNull();
  }

  @Test
  void a_rotated_factory_credential_works_beside_the_old_one_until_the_device_bootstraps_with_it() {
    km.admin().rotateBootstrapPsk("bs1", "operator");

    DmPsk next = km.bootstrapCredentials().nextBootstrapPsk("bs1").orElseThrow();
    assertThat(next.identity()).isEqualTo("bs1#bs2");
    assertThat(next.key()).hasSize(16).isNotEqualTo(BS_PSK);
    assertThat(km.bootstrapCredentials().byIdentity("bs1#bs2").orElseThrow().pending()).isTrue();
    assertThat(km.bootstrapCredentials().byIdentity("bs1-factory")).isPresent();
    BootstrapStatus status = km.admin().bootstrapStatus("bs1").orElseThrow();
    assertThat(status.newBsPskIdentity()).isEqualTo("bs1#bs2");
    // the device is asked to bootstrap again, which is how the new one reaches it
    assertThat(status.rotationRequestedAt()).isNotNull();

    km.bootstrapCredentials().confirmBootstrap("bs1", "bs1-factory");
    assertThat(km.bootstrapCredentials().byIdentity("bs1-factory")).isPresent();
    km.bootstrapCredentials().confirmBootstrap("bs1", "bs1#bs2");

    assertThat(km.bootstrapCredentials().byIdentity("bs1-factory")).isEmpty();
    assertThat(km.bootstrapCredentials().byEndpoint("bs1").orElseThrow().key())
        .isEqualTo(next.key());
    assertThat(km.bootstrapCredentials().nextBootstrapPsk("bs1")).isEmpty();
    assertThat(km.admin().bootstrapStatus("bs1").orElseThrow().bsPskVersion()).isEqualTo(2);
    assertThat(km.audit().recent(5).stream().map(AuditEvent::action))
        .contains("device.bs_psk_issued", "device.bs_psk_rotated");
    assertThat(km.audit().recent(5).toString())
        .doesNotContain(HexFormat.of().formatHex(next.key()));

    km.admin().addDevice("flashed", "flashed-id", "0123456789abcdef".getBytes(), "test");
    assertThatThrownBy(() -> km.admin().rotateBootstrapPsk("flashed", "test"))
        .hasMessageContaining("no factory bootstrap credential to rotate");
  }

  @Test
  void marking_an_enabler_at_bootstrap_is_kept_and_does_not_provision_its_devices_again() {
    org.keyprov.keys.EnablerProfile e =
        km.admin().putEnabler(TestKeyManagers.enabler("a.enabler.test", 5684), "test");
    km.admin().assign("bs1", "a.enabler.test", "test");
    km.admin().currentParameters("bs1", "a.enabler.test");
    km.ledger()
        .provisioned(
            "bs1",
            "a.enabler.test",
            1,
            clock.instant().plus(Duration.ofDays(1)),
            clock.instant().plus(Duration.ofHours(20)));

    km.admin().putEnabler(e.atBootstrap(true), "test");

    assertThat(km.admin().enabler("a.enabler.test").orElseThrow().atBootstrap()).isTrue();
    assertThat(km.ledger().assignments("bs1").get(0).state())
        .isEqualTo(org.keyprov.keys.ProvisioningState.PROVISIONED);
  }

  @Test
  void a_recorded_bootstrap_shows_in_the_status_and_the_audit_log() {
    km.bootstrapCredentials().bootstrapped("bs1", "wrote the DM server account");

    assertThat(km.admin().bootstrapStatus("bs1").orElseThrow().bootstrappedAt())
        .isEqualTo(clock.instant());
    assertThat(km.audit().recent(1).get(0).action()).isEqualTo("device.bootstrapped");
  }
}
