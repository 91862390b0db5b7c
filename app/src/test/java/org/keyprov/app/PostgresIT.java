package org.keyprov.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.keyprov.client.ConnectionResult;
import org.keyprov.client.DeviceClient;
import org.keyprov.keys.ProvisioningState;
import org.keyprov.keys.RenewalPolicy;
import org.keyprov.keys.store.testing.PostgresServer;
import org.postgresql.ds.PGSimpleDataSource;

/** keyprov on a real PostgreSQL server: the normal flow, and the CLI's database settings. */
class PostgresIT {
  private static final byte[] DM_PSK = "device-dm-psk-0001".getBytes();

  @TempDir Path dir;

  @Test
  void the_normal_flow_runs_on_postgresql() throws Exception {
    try (Harness h =
        new Harness(dir, PostgresServer.shared().newDatabase(), RenewalPolicy.DEFAULT)) {
      h.givenEnabler("a.enabler.test");
      h.givenDevice("ep1", DM_PSK, "a.enabler.test");

      DeviceClient device = h.startDevice("ep1", "ep1-dm", DM_PSK);

      h.awaitState("ep1", "a.enabler.test", ProvisioningState.PROVISIONED);
      await().until(() -> device.enablerParameters().size() == 1);
      ConnectionResult result = device.connector().connect("a.enabler.test");
      assertThat(result.success()).as(result.detail()).isTrue();
      await()
          .atMost(Duration.ofSeconds(20))
          .until(
              () ->
                  h.km
                      .ledger()
                      .assignments("ep1")
                      .get(0)
                      .lastConnectionResult()
                      .filter(r -> r.startsWith("OK"))
                      .isPresent());
    }
  }

  @Test
  void two_data_directories_share_one_postgresql_database_given_in_their_config_file()
      throws Exception {
    PGSimpleDataSource db = (PGSimpleDataSource) PostgresServer.shared().newDatabase();
    Path nodeA = node("a", db, null);
    Path nodeB = node("b", db, nodeA);

    Cli added =
        Cli.run(
            "admin",
            "add-device",
            "--data-dir",
            nodeA.toString(),
            "--endpoint",
            "ep1",
            "--dm-psk",
            "00112233445566778899aabbccddeeff");
    assertThat(added.exitCode()).as(added.err()).isZero();

    Cli status = Cli.run("admin", "status", "--data-dir", nodeB.toString());
    assertThat(status.exitCode()).as(status.err()).isZero();
    assertThat(status.out()).contains("ep1");
    assertThat(nodeB.resolve("keyprov.mv.db")).as("no H2 file").doesNotExist();
  }

  @Test
  void a_node_with_another_master_key_is_refused_before_it_stores_anything() throws Exception {
    PGSimpleDataSource db = (PGSimpleDataSource) PostgresServer.shared().newDatabase();
    Path nodeA = node("a", db, null);
    Path nodeB = node("b", db, null); // its own master.key, made at its first start

    Cli refused =
        Cli.run(
            "admin",
            "add-device",
            "--data-dir",
            nodeB.toString(),
            "--endpoint",
            "ep2",
            "--dm-psk",
            "00112233445566778899aabbccddeeff");

    assertThat(refused.exitCode()).isNotZero();
    assertThat(refused.err())
        .contains("the master key is not the one this database was created with")
        .doesNotContain("\tat ");
    Cli status = Cli.run("admin", "status", "--data-dir", nodeA.toString());
    assertThat(status.out()).doesNotContain("ep2");
  }

  @Test
  void bad_database_settings_get_a_clear_answer() throws Exception {
    PGSimpleDataSource db = (PGSimpleDataSource) PostgresServer.shared().newDatabase();
    String data = dir.resolve("data").toString();

    Cli withPassword =
        Cli.run(
            "admin",
            "status",
            "--data-dir",
            data,
            "--db-url",
            db.getUrl() + "?user=keyprov&password=secret");
    assertThat(withPassword.exitCode()).isEqualTo(2);
    assertThat(withPassword.err())
        .contains("holds a password")
        .contains("KEYPROV_DB_PASSWORD")
        .doesNotContain("secret");

    Cli notPostgres =
        Cli.run("admin", "status", "--data-dir", data, "--db-url", "jdbc:mysql://x/y");
    assertThat(notPostgres.err()).contains("not a PostgreSQL JDBC URL");

    Cli unreachable =
        Cli.run(
            "admin", "status", "--data-dir", data, "--db-url", "jdbc:postgresql://127.0.0.1:1/x");
    assertThat(unreachable.exitCode()).isNotZero();
    assertThat(unreachable.err())
        .contains("cannot open the database jdbc:postgresql://127.0.0.1:1/x")
        .doesNotContain("\tat ");

    Path typo = Files.createDirectories(dir.resolve("typo"));
    Files.writeString(typo.resolve(DatabaseSettings.FILE), "db.pasword=x\n");
    Cli unknown = Cli.run("admin", "status", "--data-dir", typo.toString());
    assertThat(unknown.err()).contains("unknown setting 'db.pasword'");

    Path open = Files.createDirectories(dir.resolve("open"));
    Files.writeString(
        open.resolve(DatabaseSettings.FILE), "db.url=" + db.getUrl() + "\ndb.password=x\n");
    Files.setPosixFilePermissions(
        open.resolve(DatabaseSettings.FILE), PosixFilePermissions.fromString("rw-r--r--"));
    Cli readable = Cli.run("admin", "status", "--data-dir", open.toString());
    assertThat(readable.err()).contains("readable by others").contains("chmod 600");
  }

  /**
   * A data directory whose config file points at {@code db}, with the master key of {@code keyFrom}
   * if given; opened once (which makes its master key if it has none).
   */
  private Path node(String name, PGSimpleDataSource db, Path keyFrom) throws Exception {
    Path data = Files.createDirectories(dir.resolve(name));
    if (keyFrom != null) {
      Files.copy(keyFrom.resolve("master.key"), data.resolve("master.key"));
    }
    Path config = data.resolve(DatabaseSettings.FILE);
    Files.writeString(
        config,
        "db.url="
            + db.getUrl()
            + "\ndb.user="
            + PostgresServer.USER
            + "\ndb.password="
            + PostgresServer.PASSWORD
            + "\n");
    Files.setPosixFilePermissions(config, PosixFilePermissions.fromString("rw-------"));
    Cli first = Cli.run("admin", "status", "--data-dir", data.toString());
    if (name.equals("a") || keyFrom != null) {
      assertThat(first.exitCode()).as(first.err()).isZero();
    }
    return data;
  }
}
