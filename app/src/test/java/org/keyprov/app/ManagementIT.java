package org.keyprov.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.keyprov.client.DeviceClient;
import org.keyprov.client.object.EnablerSecurityState;
import org.keyprov.keys.EnablerProfile;
import org.keyprov.keys.LookupResult;
import org.keyprov.keys.gba.NafId;
import org.keyprov.keys.gba.UaSecurityProtocolId;
import org.keyprov.keys.store.testing.PostgresServer;
import org.keyprov.keys.zn.RemotePskLookup;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * {@code keyprov server --management-port} as an operator runs it (its own process, on PostgreSQL,
 * JSON logs): Prometheus sees a device register, get provisioned and an Enabler look its key up;
 * {@code /readyz} follows the database away and back; the log is one JSON object per line and names
 * every registration and provisioning.
 */
class ManagementIT {
  private static final String FQDN = "ops.enabler.test";
  private static final byte[] DM_PSK = "device-dm-psk-0001".getBytes(StandardCharsets.US_ASCII);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern BANNER =
      Pattern.compile(
          "DM server at (coaps://\\S+); .* at (https://\\S+)/ .*metrics and probes at"
              + " (http://\\S+)/metrics");

  @TempDir Path dir;
  private Process server;
  private DeviceClient device;
  private final HttpClient http = HttpClient.newHttpClient();

  @AfterEach
  void stop() throws Exception {
    if (device != null) {
      device.close();
    }
    if (server != null) {
      server.destroy();
      server.waitFor();
    }
  }

  @Test
  void prometheus_sees_the_flow_and_readiness_follows_the_database() throws Exception {
    PGSimpleDataSource db = (PGSimpleDataSource) PostgresServer.shared().newDatabase();
    Path data = dir.resolve("data");
    Files.createDirectories(data);
    Path settings = data.resolve(SettingsFile.NAME);
    Files.writeString(
        settings,
        "db.url="
            + db.getUrl()
            + "\ndb.user="
            + PostgresServer.USER
            + "\ndb.password="
            + PostgresServer.PASSWORD
            + "\n");
    Files.setPosixFilePermissions(settings, PosixFilePermissions.fromString("rw-------"));
    String d = data.toString();
    assertThat(
            Cli.run(
                    "admin",
                    "add-enabler",
                    "--data-dir",
                    d,
                    "--fqdn",
                    FQDN,
                    "--uri",
                    "tls://127.0.0.1:1")
                .exitCode())
        .isZero();
    assertThat(
            Cli.run(
                    "admin",
                    "add-device",
                    "--data-dir",
                    d,
                    "--endpoint",
                    "ep1",
                    "--dm-psk",
                    java.util.HexFormat.of().formatHex(DM_PSK))
                .exitCode())
        .isZero();
    assertThat(
            Cli.run("admin", "assign", "--data-dir", d, "--endpoint", "ep1", "--enabler", FQDN)
                .exitCode())
        .isZero();
    Cli issued = Cli.run("enabler-credential", "create", "--data-dir", d, "--naf-fqdn", FQDN);
    assertThat(issued.exitCode()).as(issued.err()).isZero();
    String credential = issued.out().strip().lines().reduce((a, b) -> b).orElseThrow();

    Path log = dir.resolve("server.log");
    Path out = dir.resolve("server.out");
    ProcessBuilder start =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                // keyprov's own logging, not the tests' logback-test.xml
                "-Dlogback.configurationFile=logback.xml",
                Main.class.getName(),
                "server",
                "--data-dir",
                d,
                "--coaps-port",
                "0",
                "--https-port",
                "0",
                "--management-port",
                "0")
            .redirectError(log.toFile())
            .redirectOutput(out.toFile());
    start.environment().put(LogSettings.FORMAT_ENV, "json");
    server = start.start();
    Matcher banner =
        await()
            .atMost(Duration.ofSeconds(60))
            .until(() -> BANNER.matcher(Files.readString(out)), Matcher::find);
    URI dm = URI.create(banner.group(1));
    URI https = URI.create(banner.group(2));
    URI ops = URI.create(banner.group(3));

    assertThat(get(ops.resolve("/healthz")).statusCode()).isEqualTo(200);
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> get(ops.resolve("/readyz")).statusCode() == 200);
    JsonNode ready = JSON.readTree(get(ops.resolve("/readyz")).body());
    assertThat(ready.get("ready").asBoolean()).isTrue();
    assertThat(ready.get("checks").fieldNames())
        .toIterable()
        .containsExactly("database", "dm", "https");
    HttpResponse<String> post =
        http.send(
            HttpRequest.newBuilder(ops.resolve("/metrics"))
                .POST(HttpRequest.BodyPublishers.noBody())
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(post.statusCode()).isEqualTo(405);
    assertThat(post.headers().firstValue("Allow")).contains("GET");
    assertThat(get(ops.resolve("/nothing")).statusCode()).isEqualTo(404);

    // a device registers, is provisioned, and an Enabler looks its key up
    device =
        DeviceClient.builder()
            .endpoint("ep1")
            .dmServer(dm)
            .dmPsk("ep1", DM_PSK)
            .stateFile(dir.resolve("ep1.state"))
            .build();
    device.start();
    await().atMost(Duration.ofSeconds(30)).until(() -> device.enablerParameters().size() == 1);
    EnablerSecurityState key = device.enablerParameters().get(0);
    RemotePskLookup lookup =
        RemotePskLookup.builder()
            .keyManager(https)
            .certificate(HttpsIdentity.readPem(data.resolve("https-cert.pem")))
            .credential(credential)
            .timeout(Duration.ofSeconds(5))
            .build();
    NafId nafId =
        new NafId(FQDN, UaSecurityProtocolId.omaPskTls(EnablerProfile.TLS_PSK_WITH_AES_128_CCM_8));
    assertThat(lookup.lookup(key.pskIdentity(), nafId)).isInstanceOf(LookupResult.Granted.class);
    assertThat(lookup.lookup("unknown@km.keyprov.local", nafId))
        .isInstanceOf(LookupResult.Refused.class);

    String metrics = get(ops.resolve("/metrics")).body();
    assertThat(value(metrics, "keyprov_dm_registrations_total", "event=\"registered\""))
        .isEqualTo(1);
    assertThat(value(metrics, "keyprov_provisioning_total", "outcome=\"provisioned\""))
        .isEqualTo(1);
    assertThat(value(metrics, "keyprov_keys_provisioned_total", "kind=\"first\"")).isEqualTo(1);
    assertThat(value(metrics, "keyprov_lookups_seconds_count", "result=\"granted\"")).isEqualTo(1);
    assertThat(value(metrics, "keyprov_lookups_seconds_count", "result=\"UNKNOWN_IDENTITY\""))
        .isEqualTo(1);
    assertThat(metrics).contains("keyprov_lookups_seconds_bucket{");
    assertThat(value(metrics, "keyprov_dm_dtls_handshakes_total", "result=\"success\""))
        .isGreaterThanOrEqualTo(1);
    assertThat(metrics)
        .contains("service=\"keyprov-server\"")
        .contains("jvm_memory_used_bytes")
        .contains("hikaricp_connections")
        .contains("jetty_server_requests_seconds")
        .contains("jetty_threads_busy");
    await()
        .atMost(Duration.ofSeconds(5))
        .until(
            () ->
                value(get(ops.resolve("/metrics")).body(), "keyprov_dm_dtls_sessions", "service=")
                    >= 1);
    assertThat(metrics).doesNotContain(java.util.HexFormat.of().formatHex(DM_PSK));
    // deploy/grafana's dashboard asks for meters a server has (an Enabler's are its own)
    String dashboard = Files.readString(deployFile("grafana/keyprov.json"));
    Matcher used = Pattern.compile("\\b(keyprov|jvm|hikaricp)_[a-z_]+").matcher(dashboard);
    int asked = 0;
    while (used.find()) {
      if (!used.group().startsWith("keyprov_enabler_")) {
        assertThat(metrics).as("dashboard meter " + used.group()).contains(used.group() + "{");
        asked++;
      }
    }
    assertThat(asked).isGreaterThan(10);

    // the database goes away: not ready, naming it; back: ready again
    String name = db.getDatabaseName();
    try (Connection c = adminConnection();
        Statement s = c.createStatement()) {
      s.execute("ALTER DATABASE " + name + " ALLOW_CONNECTIONS false");
      s.execute(
          "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '" + name + "'");
    }
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> get(ops.resolve("/readyz")), r -> r.statusCode() == 503);
    JsonNode down = JSON.readTree(get(ops.resolve("/readyz")).body());
    assertThat(down.get("ready").asBoolean()).isFalse();
    assertThat(down.get("checks").get("database").asText()).isNotEqualTo("ok");
    assertThat(down.get("checks").get("dm").asText()).isEqualTo("ok");
    try (Connection c = adminConnection();
        Statement s = c.createStatement()) {
      s.execute("ALTER DATABASE " + name + " ALLOW_CONNECTIONS true");
    }
    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> get(ops.resolve("/readyz")), r -> r.statusCode() == 200);

    // the log: JSON lines with dates, naming the registration and the provisioning, no key
    server.destroy();
    server.waitFor();
    List<String> lines = Files.readAllLines(log);
    assertThat(lines).isNotEmpty();
    StringBuilder messages = new StringBuilder();
    for (String line : lines) {
      JsonNode event = JSON.readTree(line);
      assertThat(event.has("timestamp")).as(line).isTrue();
      assertThat(event.has("level")).as(line).isTrue();
      messages.append(event.get("formattedMessage").asText()).append('\n');
    }
    assertThat(messages.toString())
        .contains("ep1 registered from")
        .contains("ep1: provisioned Enabler " + FQDN)
        .doesNotContain(java.util.HexFormat.of().formatHex(DM_PSK));
    server = null;
  }

  /** A file of the repository's deploy/ folder (tests run in app/). */
  private static Path deployFile(String name) {
    return Path.of("..", "deploy", name);
  }

  private HttpResponse<String> get(URI uri) throws IOException, InterruptedException {
    return http.send(
        HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** The sum of the samples of {@code metric} whose labels contain {@code label}. */
  private static double value(String metrics, String metric, String label) {
    double sum = 0;
    for (String line : metrics.split("\n")) {
      if (line.startsWith(metric + "{") && line.contains(label)) {
        sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    return sum;
  }

  private static Connection adminConnection() throws java.sql.SQLException {
    PGSimpleDataSource postgres = (PGSimpleDataSource) PostgresServer.shared().newDatabase();
    return postgres.getConnection();
  }
}
