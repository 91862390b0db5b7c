package org.keyprov.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.keyprov.client.ConnectionResult;
import org.keyprov.client.DeviceClient;
import org.keyprov.keys.OperatorAccounts.Role;
import org.keyprov.keys.ProvisioningState;
import org.keyprov.keys.RenewalPolicy;
import org.keyprov.keys.store.testing.PostgresServer;
import org.postgresql.ds.PGSimpleDataSource;

/** keyprov on a real PostgreSQL server: the normal flow, and the CLI's database settings. */
class PostgresIT {
  private static final byte[] DM_PSK = "device-dm-psk-0001".getBytes();
  private static final ObjectMapper JSON = new ObjectMapper();

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
      h.awaitConnectionOk("ep1");
    }
  }

  @Test
  void an_operator_logged_in_on_one_node_works_on_the_other_and_across_a_restart()
      throws Exception {
    javax.sql.DataSource db = PostgresServer.shared().newDatabase();
    try (Harness nodeA = new Harness(dir, db, RenewalPolicy.DEFAULT);
        Harness nodeB = new Harness(dir, db, RenewalPolicy.DEFAULT)) {
      nodeA
          .km
          .operators()
          .create("olga", "a long enough password".toCharArray(), Role.OPERATOR, "test");
      org.keyprov.web.WebServer webA = nodeA.startWeb(0);
      org.keyprov.web.WebServer webB = nodeB.startWeb(0);
      HttpClient http = HttpClient.newBuilder().sslContext(nodeA.pinnedTls()).build();
      HttpResponse<String> login =
          http.send(
              request(webA, "session")
                  .POST(
                      HttpRequest.BodyPublishers.ofString(
                          "{\"username\":\"olga\",\"password\":\"a long enough password\"}"))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(login.statusCode()).as(login.body()).isEqualTo(200);
      String cookie = login.headers().firstValue("set-cookie").orElseThrow().split(";")[0];
      String csrf = JSON.readTree(login.body()).get("csrfToken").asText();

      HttpResponse<String> added =
          http.send(
              request(webB, "devices")
                  .header("Cookie", cookie)
                  .header("X-CSRF-Token", csrf)
                  .POST(HttpRequest.BodyPublishers.ofString("{\"endpoint\":\"ep-b\"}"))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(added.statusCode())
          .as("node B knows node A's session: " + added.body())
          .isEqualTo(201);

      webA.close();
      org.keyprov.web.WebServer restarted = nodeA.startWeb(0);
      HttpResponse<String> me =
          http.send(
              request(restarted, "session").header("Cookie", cookie).GET().build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(me.statusCode()).as(me.body()).isEqualTo(200);
      assertThat(JSON.readTree(me.body()).get("csrfToken").asText()).isEqualTo(csrf);

      http.send(
          request(webB, "session").header("Cookie", cookie).DELETE().build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(
              http.send(
                      request(restarted, "session").header("Cookie", cookie).GET().build(),
                      HttpResponse.BodyHandlers.ofString())
                  .statusCode())
          .as("logged out on node B, so on node A too")
          .isEqualTo(401);
    }
  }

  private static HttpRequest.Builder request(org.keyprov.web.WebServer web, String path) {
    return HttpRequest.newBuilder(java.net.URI.create(web.uri() + "/api/v1/" + path))
        .header("Content-Type", "application/json");
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
  void bad_redis_settings_get_a_clear_answer() throws Exception {
    String h2 = dir.resolve("h2").toString();
    Cli withPassword =
        Cli.run("server", "--data-dir", h2, "--redis-url", "redis://:secret@127.0.0.1:1");
    assertThat(withPassword.exitCode()).isEqualTo(2);
    assertThat(withPassword.err())
        .contains("holds a user or password")
        .contains("KEYPROV_REDIS_PASSWORD")
        .doesNotContain("secret");
    Cli onH2 = Cli.run("server", "--data-dir", h2, "--redis-url", "redis://127.0.0.1:1");
    assertThat(onH2.exitCode()).isEqualTo(2);
    assertThat(onH2.err()).contains("give --db-url too");

    PGSimpleDataSource db = (PGSimpleDataSource) PostgresServer.shared().newDatabase();
    Path shared = Files.createDirectories(dir.resolve("shared"));
    pointAt(shared, db);
    String data = shared.toString();
    Cli notRedis = Cli.run("server", "--data-dir", data, "--redis-url", "http://127.0.0.1:1");
    assertThat(notRedis.exitCode()).isEqualTo(2);
    assertThat(notRedis.err()).contains("is not a Redis URL: give redis://HOST[:PORT][/DATABASE]");
    Cli badDatabase =
        Cli.run("server", "--data-dir", data, "--redis-url", "redis://127.0.0.1:1/first");
    assertThat(badDatabase.err()).contains("the database number (0, 1, …), not 'first'");
    Cli unreachable = Cli.run("server", "--data-dir", data, "--redis-url", "redis://127.0.0.1:1");
    assertThat(unreachable.exitCode()).isEqualTo(1);
    assertThat(unreachable.err())
        .contains("Redis at redis://127.0.0.1:1 does not answer: Connection refused")
        .contains("start it or correct the Redis URL")
        .doesNotContain("\tat ")
        .doesNotContain("unexpected");
    System.out.println("PostgresIT: " + unreachable.err());
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

  /** Writes {@code data}'s settings file: {@code db} with its user and password, owner-only. */
  private static void pointAt(Path data, PGSimpleDataSource db) throws Exception {
    Path config = data.resolve(SettingsFile.NAME);
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
    pointAt(data, db);
    Cli first = Cli.run("admin", "status", "--data-dir", data.toString());
    if (name.equals("a") || keyFrom != null) {
      assertThat(first.exitCode()).as(first.err()).isZero();
    }
    return data;
  }
}
