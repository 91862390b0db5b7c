package org.keyprov.keys.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;
import org.keyprov.keys.Device;
import org.keyprov.keys.KeyManager;
import org.keyprov.keys.NewDevice;
import org.keyprov.keys.store.testing.TestDatabase;
import org.keyprov.keys.store.testing.TestKeyManagers;

@ParameterizedClass
@EnumSource(TestDatabase.class)
class BulkAddTest {
  @Parameter TestDatabase database;
  private static final byte[] PSK = "0123456789abcdef".getBytes();
  @TempDir Path dir;
  private DataSource ds;

  @BeforeEach
  void openTheDatabase() {
    ds = database.create(dir);
  }

  @Test
  void adds_all_devices_with_working_credentials() {
    KeyManager km = TestKeyManagers.started(ds);
    km.admin()
        .addDevices(
            List.of(new NewDevice("a", "a-id", PSK), new NewDevice("b", "b-id", PSK)), "test");
    assertThat(km.admin().devices()).extracting(Device::endpoint).containsExactly("a", "b");
    assertThat(km.dmCredentials().byIdentity("b-id").orElseThrow().key()).isEqualTo(PSK);
  }

  @Test
  void adds_none_when_one_entry_is_bad_and_says_which() {
    KeyManager km = TestKeyManagers.started(ds);
    km.admin().addDevice("taken", "taken-id", PSK, "test");

    assertThatThrownBy(
            () ->
                km.admin()
                    .addDevices(
                        List.of(new NewDevice("a", "a-id", PSK), new NewDevice("b\tc", "b", PSK)),
                        "test"))
        .hasMessageStartingWith("entry 2 (b\tc): the endpoint");
    assertThatThrownBy(
            () ->
                km.admin()
                    .addDevices(
                        List.of(new NewDevice("a", "a-id", PSK), new NewDevice("taken", "t2", PSK)),
                        "test"))
        .hasMessageContaining("already exists");
    assertThat(km.admin().devices()).extracting(Device::endpoint).containsExactly("taken");
  }
}
