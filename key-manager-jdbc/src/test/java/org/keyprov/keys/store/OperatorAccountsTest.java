package org.keyprov.keys.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;
import org.keyprov.keys.AuditEvent;
import org.keyprov.keys.Device;
import org.keyprov.keys.DeviceOrder;
import org.keyprov.keys.KeyManager;
import org.keyprov.keys.KeyManagerException;
import org.keyprov.keys.NewDevice;
import org.keyprov.keys.OperatorAccounts;
import org.keyprov.keys.OperatorAccounts.Role;
import org.keyprov.keys.OperatorSessions;
import org.keyprov.keys.store.testing.TestDatabase;
import org.keyprov.keys.store.testing.TestKeyManagers;

@ParameterizedClass
@EnumSource(TestDatabase.class)
class OperatorAccountsTest {
  @Parameter TestDatabase database;
  @TempDir Path dir;
  private DataSource ds;

  @BeforeEach
  void openTheDatabase() {
    ds = database.create(dir);
  }

  @Test
  void creates_the_initial_admin_once_with_a_working_password() {
    KeyManager km = TestKeyManagers.started(ds);
    String password = km.operators().createInitialAdmin().orElseThrow();

    assertThat(km.operators().authenticate("admin", password.toCharArray()))
        .contains(new OperatorAccounts.Operator("admin", Role.ADMIN));
    assertThat(km.operators().createInitialAdmin()).isEmpty();
    assertThat(km.operators().authenticate("admin", "wrong-password".toCharArray())).isEmpty();
    assertThat(km.operators().authenticate("nobody", password.toCharArray())).isEmpty();
  }

  @Test
  void stores_only_a_salted_pbkdf2_hash() throws Exception {
    KeyManager km = TestKeyManagers.started(ds);
    km.operators().create("alice", "correct horse battery".toCharArray(), Role.AUDITOR, "test");
    try (var c = ds.getConnection();
        var rs = c.createStatement().executeQuery("SELECT password_hash FROM operator")) {
      rs.next();
      assertThat(rs.getString(1)).startsWith("pbkdf2-sha256$310000$").doesNotContain("horse");
    }
  }

  @Test
  void refuses_weak_passwords_and_odd_names() {
    KeyManager km = TestKeyManagers.started(ds);
    assertThatThrownBy(
            () -> km.operators().create("bob", "short".toCharArray(), Role.OPERATOR, "t"))
        .hasMessageContaining("at least 12 characters");
    assertThatThrownBy(
            () ->
                km.operators()
                    .create("bob smith", "long enough password".toCharArray(), Role.OPERATOR, "t"))
        .hasMessageContaining("username");
  }

  @Test
  void an_operator_changes_their_password_only_with_the_current_one() {
    KeyManager km = TestKeyManagers.started(ds);
    km.operators().create("carol", "first password 1".toCharArray(), Role.OPERATOR, "test");

    assertThat(
            km.operators()
                .changePassword(
                    "carol", "not my password".toCharArray(), "second password 2".toCharArray()))
        .isFalse();
    assertThat(km.operators().authenticate("carol", "first password 1".toCharArray())).isPresent();
    assertThatThrownBy(
            () ->
                km.operators()
                    .changePassword(
                        "carol", "first password 1".toCharArray(), "short".toCharArray()))
        .hasMessageContaining("at least 12 characters");

    assertThat(
            km.operators()
                .changePassword(
                    "carol", "first password 1".toCharArray(), "second password 2".toCharArray()))
        .isTrue();
    assertThat(km.operators().authenticate("carol", "first password 1".toCharArray())).isEmpty();
    assertThat(km.operators().authenticate("carol", "second password 2".toCharArray())).isPresent();
    assertThat(km.audit().recent(5))
        .extracting(AuditEvent::action)
        .contains("operator.password-changed");
  }

  @Test
  void a_reset_gives_a_new_random_password_and_is_audited_with_its_actor() {
    KeyManager km = TestKeyManagers.started(ds);
    String first = km.operators().createInitialAdmin().orElseThrow();

    String second = km.operators().resetPassword("admin", "cli");

    assertThat(second).hasSizeGreaterThanOrEqualTo(20).isNotEqualTo(first);
    assertThat(km.operators().authenticate("admin", first.toCharArray())).isEmpty();
    assertThat(km.operators().authenticate("admin", second.toCharArray())).isPresent();
    assertThat(km.audit().recent(5))
        .anySatisfy(
            e -> {
              assertThat(e.action()).isEqualTo("operator.password-reset");
              assertThat(e.actor()).isEqualTo("cli");
              assertThat(e.detail()).doesNotContain(second);
            });
    assertThatThrownBy(() -> km.operators().resetPassword("nobody", "cli"))
        .hasMessageContaining("no operator 'nobody'");
  }

  @Test
  void a_session_is_seen_by_every_node_and_ends_with_a_password_change_or_the_account()
      throws Exception {
    KeyManager nodeA = TestKeyManagers.started(ds);
    KeyManager nodeB = TestKeyManagers.started(ds);
    nodeA.operators().create("dave", "first password 1".toCharArray(), Role.OPERATOR, "test");
    Instant login = Instant.parse("2026-12-04T10:00:00Z");
    nodeA.sessions().open("hash-1", "dave", login);
    nodeA.sessions().open("hash-2", "dave", login);

    assertThat(nodeB.sessions().find("hash-1"))
        .contains(
            new OperatorSessions.Session(
                new OperatorAccounts.Operator("dave", Role.OPERATOR), login));
    nodeB.sessions().touch("hash-1", login.plusSeconds(60));
    assertThat(nodeA.sessions().find("hash-1").orElseThrow().lastSeen())
        .isEqualTo(login.plusSeconds(60));

    assertThat(
            nodeA
                .operators()
                .changePassword(
                    "dave", "first password 1".toCharArray(), "second password 2".toCharArray()))
        .isTrue();
    nodeA.sessions().renew("hash-1");
    assertThat(nodeB.sessions().find("hash-1"))
        .as("renewed by its own password change")
        .isPresent();
    assertThat(nodeB.sessions().find("hash-2")).as("another session of the account").isEmpty();

    nodeA.sessions().open("hash-3", "dave", login);
    assertThat(nodeB.sessions().closeIdleSince(login.plusSeconds(30))).isEqualTo(1);
    assertThat(nodeA.sessions().find("hash-3")).isEmpty();
    assertThat(nodeA.sessions().find("hash-1")).isPresent();

    nodeA.operators().create("erin", "first password 1".toCharArray(), Role.ADMIN, "test");
    nodeB.operators().delete("dave", "test");
    assertThat(nodeA.sessions().find("hash-1")).isEmpty();
    assertThat(count("SELECT COUNT(*) FROM operator_session")).isZero();
    assertThatThrownBy(() -> nodeA.sessions().open("hash-4", "dave", login))
        .hasMessageContaining("no operator 'dave'");
  }

  @Test
  void a_session_ends_when_an_admin_resets_its_password() {
    KeyManager km = TestKeyManagers.started(ds);
    km.operators().create("dave", "first password 1".toCharArray(), Role.OPERATOR, "test");
    km.sessions().open("hash-1", "dave", Instant.now());

    km.operators().resetPassword("dave", "test");

    assertThat(km.sessions().find("hash-1")).isEmpty();
  }

  private long count(String sql) throws Exception {
    try (var c = ds.getConnection();
        var rs = c.createStatement().executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  @Test
  void the_last_admin_cannot_be_deleted() {
    KeyManager km = TestKeyManagers.started(ds);
    km.operators().createInitialAdmin();

    assertThatThrownBy(() -> km.operators().delete("admin", "test"))
        .isInstanceOf(KeyManagerException.class)
        .hasMessageContaining("last admin");

    km.operators().create("erin", "second admin pass".toCharArray(), Role.ADMIN, "test");
    km.operators().delete("admin", "erin");
    assertThat(km.operators().list())
        .extracting(OperatorAccounts.Operator::username)
        .containsExactly("erin");
  }

  @Test
  void pages_devices_found_by_any_part_of_their_name_without_offsets() {
    KeyManager km = TestKeyManagers.started(ds);
    byte[] psk = "0123456789abcdef".getBytes();
    km.admin()
        .addDevices(
            List.of(
                new NewDevice("a-1", "a-1", psk),
                new NewDevice("a-2", "a-2", psk),
                new NewDevice("a_3", "a_3", psk),
                new NewDevice("b-1", "b-1", psk)),
            "test");

    assertThat(km.admin().devicePage("a-", "", 10))
        .extracting(Device::endpoint)
        .containsExactly("a-1", "a-2");
    assertThat(km.admin().devicePage("", "a-2", 2))
        .extracting(Device::endpoint)
        .containsExactly("a_3", "b-1");
    assertThat(km.admin().devicePage("a_", "", 10))
        .extracting(Device::endpoint)
        .containsExactly("a_3");
    // anywhere in the endpoint or the DM PSK identity, any case
    assertThat(km.admin().devicePage("-2", "", 10))
        .extracting(Device::endpoint)
        .containsExactly("a-2");
    assertThat(km.admin().devicePage("A_", "", 10))
        .extracting(Device::endpoint)
        .containsExactly("a_3");
    km.admin().deleteDevice("a-1", "test");
    assertThat(km.admin().counts()).containsEntry("devices", 3L);
  }

  @Test
  void pages_devices_in_any_order_by_keyset_even_where_creation_instants_tie() {
    KeyManager km = TestKeyManagers.started(ds);
    byte[] psk = "0123456789abcdef".getBytes();
    // one batch: the same creation instant, told apart by the endpoint
    km.admin()
        .addDevices(
            List.of(
                new NewDevice("m-2", "m-2", psk),
                new NewDevice("m-1", "m-1", psk),
                new NewDevice("m-3", "m-3", psk)),
            "test");
    km.admin().addDevice("a-9", "a-9", psk, "test");
    km.admin().addDevice("z-0", "z-0", psk, "test");
    java.util.Comparator<Device> byCreation =
        java.util.Comparator.comparing(Device::createdAt).thenComparing(Device::endpoint);
    List<Device> all = km.admin().devices();

    for (DeviceOrder order : DeviceOrder.values()) {
      java.util.Comparator<Device> expected =
          order.byCreation() ? byCreation : java.util.Comparator.comparing(Device::endpoint);
      if (order.descending()) {
        expected = expected.reversed();
      }
      List<String> paged = new java.util.ArrayList<>();
      String after = "";
      while (true) {
        List<Device> page = km.admin().devicePage("", null, null, order, after, 2);
        page.forEach(d -> paged.add(d.endpoint()));
        if (page.size() < 2) {
          break;
        }
        after = order.cursor(page.get(1));
      }
      assertThat(paged)
          .as(order.apiName())
          .containsExactlyElementsOf(all.stream().sorted(expected).map(Device::endpoint).toList());
    }
    assertThatThrownBy(() -> km.admin().devicePage("", null, null, DeviceOrder.CREATED, "m-1", 2))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("same sort order");
  }
}
