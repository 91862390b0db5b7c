package org.keyprov.keys.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;
import org.keyprov.keys.Assignment;
import org.keyprov.keys.AuditEvent;
import org.keyprov.keys.EnablerParameters;
import org.keyprov.keys.EnablerProfile;
import org.keyprov.keys.KeyManager;
import org.keyprov.keys.KeyManagerException;
import org.keyprov.keys.LookupResult;
import org.keyprov.keys.LookupResult.Granted;
import org.keyprov.keys.LookupResult.Refusal;
import org.keyprov.keys.LookupResult.Refused;
import org.keyprov.keys.MasterKey;
import org.keyprov.keys.NafKey;
import org.keyprov.keys.ProvisioningState;
import org.keyprov.keys.RenewalPolicy;
import org.keyprov.keys.SimPersonalisation;
import org.keyprov.keys.gba.BTid;
import org.keyprov.keys.gba.GbaKdf;
import org.keyprov.keys.store.testing.TestDatabase;
import org.keyprov.keys.store.testing.TestKeyManagers;
import org.keyprov.keys.testing.MutableClock;
import org.keyprov.keys.testing.RecordingRandom;

@ParameterizedClass
@EnumSource(TestDatabase.class)
class KeyManagerTest {
  @Parameter TestDatabase database;
  private static final byte[] DM_PSK = "0123456789abcdef".getBytes();

  @TempDir Path dir;
  private final MutableClock clock = new MutableClock(Instant.parse("2026-11-28T12:00:00Z"));
  private final RecordingRandom random = new RecordingRandom();
  private DataSource ds;
  private KeyManager km;
  private EnablerProfile enablerA;
  private EnablerProfile enablerB;

  @BeforeEach
  void givenADeviceWithEnablerA() {
    ds = database.create(dir);
    km = TestKeyManagers.started(ds, clock, random);
    enablerA = km.admin().putEnabler(TestKeyManagers.enabler("a.enabler.test", 5684), "test");
    enablerB = km.admin().putEnabler(TestKeyManagers.enabler("b.enabler.test", 5685), "test");
    km.admin().addDevice("ep1", "ep1-dm", DM_PSK, "test");
    km.admin().assign("ep1", "a.enabler.test", "test");
  }

  @Test
  void grants_the_minted_key_to_its_enabler_under_both_identity_forms() {
    EnablerParameters p = km.admin().currentParameters("ep1", "a.enabler.test");

    for (String identity : List.of(p.btid().value(), "3GPP-bootstrapping." + p.btid().value())) {
      LookupResult result = km.lookup().lookup(identity, enablerA.nafId());
      assertThat(result).isInstanceOf(Granted.class);
      NafKey key = ((Granted) result).key();
      assertThat(key.key()).isEqualTo(p.key());
      assertThat(key.endpoint()).isEqualTo("ep1");
      assertThat(key.impi()).isEqualTo("ep1@km.test");
      assertThat(key.expiresAt()).isEqualTo(clock.instant().plus(Duration.ofDays(1)));
    }
  }

  @Test
  void names_keys_after_gba_and_derives_them_from_the_root_key() {
    EnablerParameters p = km.admin().currentParameters("ep1", "a.enabler.test");
    assertThat(p.btid().value()).matches("[A-Za-z0-9+/]{22}==@km\\.test");
    byte[] ks = random.handedOut(32).get(0);
    byte[] expected =
        GbaKdf.deriveNafKey(
            ks, p.btid().rand(), "ep1@km.test", enablerA.nafId(), GbaKdf.Variant.GBA_ME);
    assertThat(p.key()).isEqualTo(expected);
  }

  @Test
  void reuses_an_active_key_and_rotates_one_near_expiry() {
    EnablerParameters first = km.admin().currentParameters("ep1", "a.enabler.test");
    assertThat(km.admin().currentParameters("ep1", "a.enabler.test").btid())
        .isEqualTo(first.btid());

    clock.advance(Duration.ofHours(23));
    EnablerParameters second = km.admin().currentParameters("ep1", "a.enabler.test");

    assertThat(second.keyVersion()).isEqualTo(2);
    assertThat(second.btid()).isNotEqualTo(first.btid());
    // the old version keeps working at the Enabler until its own expiry ...
    assertThat(km.lookup().lookup(first.btid().value(), enablerA.nafId()))
        .isInstanceOf(Granted.class);
    clock.advance(Duration.ofHours(1));
    // ... and not a moment longer
    assertThat(((Refused) km.lookup().lookup(first.btid().value(), enablerA.nafId())).reason())
        .isEqualTo(Refusal.EXPIRED);
    assertThat(km.lookup().lookup(second.btid().value(), enablerA.nafId()))
        .isInstanceOf(Granted.class);
  }

  @Test
  void a_provisioned_key_is_due_again_when_the_last_tenth_of_its_lifetime_begins() {
    EnablerParameters p = km.admin().currentParameters("ep1", "a.enabler.test");
    assertThat(p.renewAt()).isEqualTo(p.expiresAt().minus(Duration.ofMinutes(144)));
    km.ledger().provisioned("ep1", "a.enabler.test", 1, p.expiresAt(), p.renewAt());
    assertThat(km.ledger().due("ep1", clock.instant())).isEmpty();

    clock.set(p.renewAt().minusMillis(1));
    assertThat(km.ledger().due("ep1", clock.instant())).isEmpty();
    assertThat(km.admin().currentParameters("ep1", "a.enabler.test").keyVersion()).isEqualTo(1);

    clock.set(p.renewAt());
    assertThat(km.ledger().due("ep1", clock.instant()))
        .singleElement()
        .satisfies(a -> assertThat(a.state()).isEqualTo(ProvisioningState.PROVISIONED));
    assertThat(km.admin().currentParameters("ep1", "a.enabler.test").keyVersion()).isEqualTo(2);
  }

  @Test
  void the_renewal_share_is_configurable() throws Exception {
    Path other = Files.createDirectory(dir.resolve("other"));
    KeyManager half =
        JdbcKeyManager.builder()
            .dataSource(database.create(other))
            .masterKey(TestKeyManagers.MASTER_KEY)
            .domain(TestKeyManagers.DOMAIN)
            .clock(clock)
            .renewal(new RenewalPolicy(0.5))
            .build()
            .start();
    half.admin().putEnabler(TestKeyManagers.enabler("a.enabler.test", 5684), "test");
    half.admin().addDevice("ep1", "ep1-dm", DM_PSK, "test");
    half.admin().assign("ep1", "a.enabler.test", "test");

    EnablerParameters p = half.admin().currentParameters("ep1", "a.enabler.test");

    assertThat(p.renewAt()).isEqualTo(clock.instant().plus(Duration.ofHours(12)));
    assertThatThrownBy(() -> new RenewalPolicy(1.0)).hasMessageContaining("between 0 and 1");
  }

  @Test
  void a_provisioned_key_that_expired_reads_expired_and_counts_so() {
    EnablerParameters p = km.admin().currentParameters("ep1", "a.enabler.test");
    km.ledger().provisioned("ep1", "a.enabler.test", 1, p.expiresAt(), p.renewAt());
    assertThat(km.admin().counts()).containsEntry("provisioned", 1L).containsEntry("expired", 0L);

    clock.set(p.expiresAt());

    assertThat(km.ledger().assignments("ep1"))
        .singleElement()
        .satisfies(
            a -> {
              assertThat(a.state()).isEqualTo(ProvisioningState.EXPIRED);
              assertThat(a.detail()).contains("expired at " + p.expiresAt());
              assertThat(a.keyVersion()).contains(1);
            });
    assertThat(km.admin().counts()).containsEntry("provisioned", 0L).containsEntry("expired", 1L);
    assertThat(km.ledger().due("ep1", clock.instant())).hasSize(1);
  }

  @Test
  void a_failed_enabler_connection_reads_failed_until_a_new_key_is_written() {
    EnablerParameters p = km.admin().currentParameters("ep1", "a.enabler.test");
    km.ledger().provisioned("ep1", "a.enabler.test", 1, p.expiresAt(), p.renewAt());

    km.ledger().connectionReported("ep1", "a.enabler.test", "FAILED: handshake failed");

    assertThat(km.ledger().assignments("ep1").get(0).state()).isEqualTo(ProvisioningState.FAILED);
    assertThat(km.admin().counts()).containsEntry("failed", 1L).containsEntry("provisioned", 0L);
    assertThat(km.ledger().due("ep1", clock.instant())).isEmpty();

    clock.set(p.renewAt());
    EnablerParameters next = km.admin().currentParameters("ep1", "a.enabler.test");
    km.ledger().provisioned("ep1", "a.enabler.test", 2, next.expiresAt(), next.renewAt());

    assertThat(km.ledger().assignments("ep1").get(0))
        .satisfies(
            a -> {
              assertThat(a.state()).isEqualTo(ProvisioningState.PROVISIONED);
              assertThat(a.lastConnectionResult()).isEmpty();
            });
  }

  @Test
  void minting_says_which_of_device_enabler_and_assignment_is_missing() {
    assertThatThrownBy(() -> km.admin().currentParameters("nobody", "a.enabler.test"))
        .isInstanceOf(KeyManagerException.class)
        .hasMessage("no device has endpoint 'nobody'; add it first");
    assertThatThrownBy(() -> km.admin().currentParameters("ep1", "none.enabler.test"))
        .isInstanceOf(KeyManagerException.class)
        .hasMessage("no Enabler has NAF FQDN 'none.enabler.test'; add it first");
    km.admin().addDevice("ep9", "ep9-dm", DM_PSK, "test");
    assertThatThrownBy(() -> km.admin().currentParameters("ep9", "A.Enabler.Test"))
        .isInstanceOf(KeyManagerException.class)
        .hasMessage("Enabler A.Enabler.Test is not assigned to device ep9");
    assertThat(km.admin().currentParameters("ep1", " A.Enabler.Test").enabler().fqdn())
        .as("the FQDN is matched as the operator typed it elsewhere")
        .isEqualTo("a.enabler.test");
  }

  @Test
  void refuses_another_enablers_key() {
    EnablerParameters p = km.admin().currentParameters("ep1", "a.enabler.test");
    LookupResult result = km.lookup().lookup(p.btid().value(), enablerB.nafId());
    assertThat(((Refused) result).reason()).isEqualTo(Refusal.OTHER_NAF);
    assertThat(Refusal.OTHER_NAF.znResultCode()).isEqualTo(5402);
  }

  @Test
  void refuses_and_audits_an_unknown_identity() {
    LookupResult result = km.lookup().lookup("AAAAAAAAAAAAAAAAAAAAAA==@km.test", enablerA.nafId());
    assertThat(((Refused) result).reason()).isEqualTo(Refusal.UNKNOWN_IDENTITY);
    assertThat(km.lookup().lookup("garbage", enablerA.nafId())).isInstanceOf(Refused.class);
    assertThat(km.audit().recent(2))
        .allSatisfy(e -> assertThat(e.action()).isEqualTo("key.lookup"))
        .extracting(AuditEvent::subject)
        .containsExactly("garbage", "AAAAAAAAAAAAAAAAAAAAAA==@km.test");
  }

  @Test
  void refuses_an_expired_key() {
    EnablerParameters p = km.admin().currentParameters("ep1", "a.enabler.test");
    clock.advance(Duration.ofDays(1));
    assertThat(((Refused) km.lookup().lookup(p.btid().value(), enablerA.nafId())).reason())
        .isEqualTo(Refusal.EXPIRED);
  }

  @Test
  void refuses_a_revoked_key_and_puts_the_assignment_back_to_pending() {
    EnablerParameters p = km.admin().currentParameters("ep1", "a.enabler.test");
    km.ledger().provisioned("ep1", "a.enabler.test", 1, p.expiresAt(), p.renewAt());

    km.admin().revoke(p.btid(), "operator");

    assertThat(((Refused) km.lookup().lookup(p.btid().value(), enablerA.nafId())).reason())
        .isEqualTo(Refusal.REVOKED);
    assertThat(km.ledger().due("ep1", clock.instant()))
        .singleElement()
        .satisfies(a -> assertThat(a.state()).isEqualTo(ProvisioningState.PENDING));
    assertThat(km.admin().currentParameters("ep1", "a.enabler.test").keyVersion()).isEqualTo(2);
  }

  @Test
  void revokes_every_live_key_of_a_device_and_enabler_without_their_b_tids() {
    EnablerParameters first = km.admin().currentParameters("ep1", "a.enabler.test");
    clock.advance(Duration.ofHours(23)); // the first is due for renewal: a second, the first valid
    EnablerParameters second = km.admin().currentParameters("ep1", "a.enabler.test");
    assertThat(second.keyVersion()).isEqualTo(2);

    assertThat(km.admin().revokeKeys("ep1", "a.enabler.test", "operator")).isEqualTo(2);

    for (EnablerParameters p : java.util.List.of(first, second)) {
      assertThat(((Refused) km.lookup().lookup(p.btid().value(), enablerA.nafId())).reason())
          .isEqualTo(Refusal.REVOKED);
    }
    assertThatThrownBy(() -> km.admin().revokeKeys("ep1", "a.enabler.test", "operator"))
        .isInstanceOf(KeyManagerException.class)
        .hasMessage("device ep1 has no key of Enabler a.enabler.test to revoke");
  }

  @Test
  void pages_devices_by_the_shown_state_of_an_assignment_and_by_enabler() {
    km.admin().addDevice("ep2", "ep2-dm", DM_PSK, "test");
    km.admin().assign("ep2", "b.enabler.test", "test");
    km.admin().addDevice("ep3", "ep3-dm", DM_PSK, "test");
    km.admin().assign("ep3", "a.enabler.test", "test");
    EnablerParameters p = km.admin().currentParameters("ep1", "a.enabler.test");
    km.ledger().provisioned("ep1", "a.enabler.test", 1, p.expiresAt(), p.renewAt());
    km.ledger().connectionReported("ep1", "a.enabler.test", "FAILED: handshake_failure");
    EnablerParameters p3 = km.admin().currentParameters("ep3", "a.enabler.test");
    km.ledger().provisioned("ep3", "a.enabler.test", 1, p3.expiresAt(), p3.renewAt());

    assertThat(page(ProvisioningState.FAILED, null)).containsExactly("ep1");
    assertThat(page(ProvisioningState.PROVISIONED, null)).containsExactly("ep3");
    assertThat(page(ProvisioningState.PENDING, null)).containsExactly("ep2");
    assertThat(page(null, "A.enabler.test")).containsExactly("ep1", "ep3");
    assertThat(page(ProvisioningState.PENDING, "a.enabler.test")).isEmpty();
    clock.advance(Duration.ofDays(2)); // both keys past their expiry: shown EXPIRED, failed or not
    assertThat(page(ProvisioningState.EXPIRED, null)).containsExactly("ep1", "ep3");
    assertThat(page(ProvisioningState.FAILED, null)).isEmpty();
  }

  private java.util.List<String> page(ProvisioningState state, String enabler) {
    return km.admin().devicePage("", state, enabler, "", 50).stream()
        .map(org.keyprov.keys.Device::endpoint)
        .toList();
  }

  @Test
  void deleting_an_enabler_takes_it_off_its_devices_and_stops_its_keys_at_once() throws Exception {
    EnablerParameters p = km.admin().currentParameters("ep1", "a.enabler.test");
    km.ledger().provisioned("ep1", "a.enabler.test", 1, p.expiresAt(), p.renewAt());
    long before = km.invalidations().next(-1, null, Duration.ZERO).cursor();

    assertThat(km.admin().deleteEnabler("A.enabler.test", "operator")).isEqualTo(1);

    assertThat(km.admin().enabler("a.enabler.test")).isEmpty();
    assertThat(km.ledger().assignments("ep1")).isEmpty();
    assertThat(km.lookup().lookup(p.btid().value(), enablerA.nafId())).isInstanceOf(Refused.class);
    assertThat(km.invalidations().next(before, null, Duration.ZERO).invalidations())
        .extracting(i -> i.endpoint() + " " + i.reason())
        .contains("ep1 " + org.keyprov.keys.InvalidationFeed.UNASSIGNED);
    assertThat(km.audit().recent(5))
        .anySatisfy(e -> assertThat(e.action()).isEqualTo("enabler.deleted"));
    assertThatThrownBy(() -> km.admin().deleteEnabler("a.enabler.test", "operator"))
        .isInstanceOf(KeyManagerException.class)
        .hasMessageContaining("no Enabler has NAF FQDN 'a.enabler.test'");
  }

  @Test
  void tracks_failures_with_their_next_attempt() {
    Instant retryAt = clock.instant().plusSeconds(30);
    km.ledger().failed("ep1", "a.enabler.test", "device answered 5.00", retryAt);

    assertThat(km.ledger().due("ep1", clock.instant())).isEmpty();
    clock.advance(Duration.ofSeconds(30));
    assertThat(km.ledger().due("ep1", clock.instant()))
        .singleElement()
        .satisfies(a -> assertThat(a.attempts()).isEqualTo(1));
  }

  @Test
  void tells_when_the_next_retry_or_renewal_of_a_device_falls_due() {
    km.admin().assign("ep1", "b.enabler.test", "test");
    assertThat(km.ledger().plan("ep1", clock.instant()).next())
        .as("pending: due at once, not later")
        .isEmpty();
    assertThat(km.ledger().plan("nobody", clock.instant()).next()).isEmpty();

    EnablerParameters p = km.admin().currentParameters("ep1", "a.enabler.test");
    km.ledger().provisioned("ep1", "a.enabler.test", 1, p.expiresAt(), p.renewAt());
    assertThat(km.ledger().plan("ep1", clock.instant()).next()).contains(p.renewAt());

    Instant retryAt = p.renewAt().minusSeconds(60);
    km.ledger().failed("ep1", "b.enabler.test", "device answered 5.00", retryAt);
    assertThat(km.ledger().plan("ep1", clock.instant()).next())
        .as("the earlier of the two")
        .contains(retryAt);
    assertThat(km.ledger().plan("ep1", clock.instant()).due()).as("nothing due yet").isEmpty();

    clock.advance(Duration.between(clock.instant(), retryAt));
    var due = km.ledger().plan("ep1", clock.instant());
    assertThat(due.due()).extracting(Assignment::nafFqdn).containsExactly("b.enabler.test");
    assertThat(due.next()).as("the due one still counts").contains(retryAt);
  }

  @Test
  void reads_the_assignments_of_many_devices_together_in_the_order_asked() {
    km.admin().assign("ep1", "b.enabler.test", "test");
    km.admin().addDevice("ep2", "ep2-dm", DM_PSK, "test");
    List<String> many = new java.util.ArrayList<>(List.of("ep2", "nobody", "ep1"));
    for (int i = 0; i < 600; i++) {
      many.add("absent-" + i); // more than one IN list
    }
    many.add("ep1"); // asked twice, answered once

    var byDevice = km.ledger().assignments(many);

    assertThat(byDevice.keySet()).startsWith("ep2", "nobody", "ep1").hasSize(603);
    assertThat(byDevice.get("ep2")).isEmpty();
    assertThat(byDevice.get("nobody")).isEmpty();
    assertThat(byDevice.get("ep1"))
        .extracting(Assignment::nafFqdn)
        .containsExactly("a.enabler.test", "b.enabler.test");
    assertThat(byDevice.get("ep1")).isEqualTo(km.ledger().assignments("ep1"));
  }

  @Test
  void serves_dm_credentials_by_identity_and_endpoint() {
    assertThat(km.dmCredentials().byIdentity("ep1-dm").orElseThrow().key()).isEqualTo(DM_PSK);
    assertThat(km.dmCredentials().byEndpoint("ep1").orElseThrow().identity()).isEqualTo("ep1-dm");
    assertThat(km.dmCredentials().byIdentity("nobody")).isEmpty();
    assertThat(km.dmCredentials().byEndpoint("ep1").orElseThrow().toString())
        .doesNotContain("0123456789abcdef");
  }

  @Test
  void rejects_bad_devices_with_operator_messages() {
    assertThatThrownBy(() -> km.admin().addDevice("ep1", "other", DM_PSK, "test"))
        .isInstanceOf(KeyManagerException.class)
        .hasMessageContaining("already exists");
    assertThatThrownBy(() -> km.admin().addDevice("ep\t2", "x", DM_PSK, "test"))
        .hasMessageContaining("control characters");
    assertThatThrownBy(() -> km.admin().addDevice("ep2", "x", new byte[4], "test"))
        .hasMessageContaining("16 to 64 bytes");
    assertThatThrownBy(() -> km.admin().assign("ep1", "nope.test", "test"))
        .hasMessageContaining("no Enabler has NAF FQDN 'nope.test'");
  }

  @Test
  void keeps_no_key_in_the_database() throws Exception {
    EnablerParameters p = km.admin().currentParameters("ep1", "a.enabler.test");
    byte[] ks = random.handedOut(32).get(0);

    List<byte[]> stored = new java.util.ArrayList<>(everyCell(ds));
    if (database == TestDatabase.H2) {
      stored.add(Files.readAllBytes(dir.resolve("keyprov.mv.db")));
    }

    for (byte[] bytes : stored) {
      assertThat(indexOf(bytes, ks)).as("Ks").isEqualTo(-1);
      assertThat(indexOf(bytes, DM_PSK)).as("DM PSK").isEqualTo(-1);
      assertThat(indexOf(bytes, p.key())).as("Ks_NAF").isEqualTo(-1);
      assertThat(indexOf(bytes, TestKeyManagers.MASTER_KEY.bytes())).as("master key").isEqualTo(-1);
    }
    assertThat(stored)
        .as("sanity: the cells hold the data")
        .anySatisfy(bytes -> assertThat(indexOf(bytes, "ep1-dm".getBytes())).isNotNegative());
  }

  /** Every value of every column of every keyprov table, as bytes. */
  private static List<byte[]> everyCell(DataSource ds) throws java.sql.SQLException {
    List<byte[]> cells = new java.util.ArrayList<>();
    try (java.sql.Connection c = ds.getConnection()) {
      List<String> tables = new java.util.ArrayList<>();
      try (java.sql.ResultSet rs =
          c.getMetaData().getTables(null, null, "%", new String[] {"TABLE"})) {
        while (rs.next()) {
          String schema = rs.getString("TABLE_SCHEM");
          if (!schema.equalsIgnoreCase("information_schema")
              && !schema.equalsIgnoreCase("pg_catalog")) {
            tables.add(rs.getString("TABLE_NAME"));
          }
        }
      }
      assertThat(tables).as("tables").isNotEmpty();
      for (String table : tables) {
        try (java.sql.Statement s = c.createStatement();
            java.sql.ResultSet rs = s.executeQuery("SELECT * FROM \"" + table + "\"")) {
          while (rs.next()) {
            for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
              int type = rs.getMetaData().getColumnType(i);
              boolean binary =
                  type == java.sql.Types.BINARY
                      || type == java.sql.Types.VARBINARY
                      || type == java.sql.Types.LONGVARBINARY;
              String text = binary ? null : rs.getString(i);
              byte[] bytes = binary ? rs.getBytes(i) : text == null ? null : text.getBytes();
              if (bytes != null) {
                cells.add(bytes);
              }
            }
          }
        }
      }
    }
    return cells;
  }

  @Test
  void refuses_to_start_under_another_master_key_or_domain() {
    JdbcKeyManager otherKey =
        JdbcKeyManager.builder()
            .dataSource(ds)
            .masterKey(MasterKey.of(new byte[32]))
            .domain(TestKeyManagers.DOMAIN)
            .build();
    assertThatThrownBy(otherKey::start)
        .hasMessageContaining("master key is not the one this database was created with");

    JdbcKeyManager otherDomain =
        JdbcKeyManager.builder()
            .dataSource(ds)
            .masterKey(TestKeyManagers.MASTER_KEY)
            .domain("km.other")
            .build();
    assertThatThrownBy(otherDomain::start)
        .hasMessage(
            "this database belongs to Key Manager domain 'km.test', not 'km.other': its devices'"
                + " IMPIs and B-TIDs carry that domain, so start with --domain km.test");
    assertThat(km.admin().devices()).as("nothing changed").hasSize(1);
  }

  @Test
  void a_database_from_before_the_owner_check_is_claimed_only_by_its_own_key_and_domain()
      throws Exception {
    try (var c = ds.getConnection()) {
      c.createStatement().executeUpdate("DELETE FROM key_manager_setting");
    }
    JdbcKeyManager otherKey =
        JdbcKeyManager.builder()
            .dataSource(ds)
            .masterKey(MasterKey.of(new byte[32]))
            .domain(TestKeyManagers.DOMAIN)
            .build();
    assertThatThrownBy(otherKey::start).hasMessageContaining("master key is not the one");
    JdbcKeyManager otherDomain =
        JdbcKeyManager.builder()
            .dataSource(ds)
            .masterKey(TestKeyManagers.MASTER_KEY)
            .domain("km.other")
            .build();
    assertThatThrownBy(otherDomain::start).hasMessageContaining("start with --domain km.test");

    KeyManager again = TestKeyManagers.started(ds, clock, random);
    assertThat(again.dmCredentials().byEndpoint("ep1")).isPresent();
  }

  @Test
  void every_row_survives_closing_and_reopening_the_file() {
    // each transaction closes and reopens the H2 file here (DB_CLOSE_DELAY=0), as consecutive
    // keyprov admin commands do; H2's compaction on close used to lose the 19th device's index
    // entry
    for (int i = 0; i < 40; i++) {
      byte[] psk = ("reopen-device-psk-" + i).getBytes();
      km.admin().addDevice("host-dev-" + i, "host-dev-" + i + "-dm", psk, "test");
      km.admin().assign("host-dev-" + i, "a.enabler.test", "test");
    }
    assertThat(km.admin().devices()).hasSize(41);
  }

  @Test
  void survives_a_restart_on_the_same_file() {
    EnablerParameters p = km.admin().currentParameters("ep1", "a.enabler.test");
    KeyManager again = TestKeyManagers.started(ds, clock, random);
    assertThat(again.lookup().lookup(p.btid().value(), enablerA.nafId()))
        .isInstanceOf(Granted.class);
    assertThat(BTid.fromPskIdentity(p.btid().value())).contains(p.btid());
  }

  @Test
  void personalises_a_sim_with_one_btid_for_every_enabler() {
    SimPersonalisation sim =
        km.admin().personaliseSim("ep1", List.of("a.enabler.test", "b.enabler.test"), "operator");

    for (EnablerProfile e : List.of(enablerA, enablerB)) {
      byte[] expected =
          GbaKdf.deriveNafKey(sim.ks(), sim.rand(), sim.impi(), e.nafId(), GbaKdf.Variant.GBA_ME);
      LookupResult result = km.lookup().lookup(sim.btid().value(), e.nafId());
      assertThat(result).as(e.fqdn()).isInstanceOf(Granted.class);
      assertThat(((Granted) result).key().key()).isEqualTo(expected);
    }
    assertThat(sim.toString()).doesNotContain(java.util.HexFormat.of().formatHex(sim.ks()));
    assertThat(km.audit().recent(10))
        .anySatisfy(e -> assertThat(e.action()).isEqualTo("sim.personalised"));

    km.admin().revoke(sim.btid(), "operator");
    assertThat(((Refused) km.lookup().lookup(sim.btid().value(), enablerB.nafId())).reason())
        .isEqualTo(Refusal.REVOKED);
  }

  @Test
  void a_sim_personalised_after_dm_provisioning_says_until_when_the_dm_key_works() {
    EnablerParameters dm = km.admin().currentParameters("ep1", "a.enabler.test");
    km.ledger().provisioned("ep1", "a.enabler.test", 1, dm.expiresAt(), dm.renewAt());
    clock.advance(Duration.ofHours(1));

    SimPersonalisation sim = km.admin().personaliseSim("ep1", List.of("a.enabler.test"), "op");

    Assignment a = km.ledger().assignments("ep1").get(0);
    assertThat(a.state()).isEqualTo(ProvisioningState.SIM);
    assertThat(a.keyVersion()).contains(2);
    assertThat(a.keyExpiresAt()).contains(clock.instant().plus(Duration.ofDays(1)));
    assertThat(a.detail())
        .contains("key version 2")
        .contains("DM-written key version 1 keeps working until " + dm.expiresAt());
    // both keys work: the device may still hold the DM one until its card is in
    assertThat(km.lookup().lookup(dm.btid().value(), enablerA.nafId())).isInstanceOf(Granted.class);
    assertThat(km.lookup().lookup(sim.btid().value(), enablerA.nafId()))
        .isInstanceOf(Granted.class);
    // the DM server neither overwrites nor renews what the SIM holds
    clock.set(dm.renewAt());
    assertThat(km.ledger().due("ep1", clock.instant())).isEmpty();
    assertThat(km.admin().counts()).containsEntry("sim", 1L);

    km.ledger().fromSim("ep1", "a.enabler.test");
    assertThat(km.ledger().assignments("ep1").get(0).keyVersion()).contains(2);

    clock.set(clock.instant().plus(Duration.ofDays(1)));
    Assignment expired = km.ledger().assignments("ep1").get(0);
    assertThat(expired.state()).isEqualTo(ProvisioningState.EXPIRED);
    assertThat(expired.detail()).contains("SIM's key expired").contains("sim personalize");
  }

  private static int indexOf(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i <= haystack.length - needle.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }
}
