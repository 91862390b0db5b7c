package org.keyprov.bench;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;
import org.keyprov.app.Main;
import org.keyprov.client.ClientHost;
import org.keyprov.client.DeviceClient;
import org.keyprov.keys.KeyManager;
import org.keyprov.keys.NewDevice;
import org.keyprov.keys.store.testing.PostgresServer;

/** What the runs that drive real keyprov commands share: commands, a fleet, files, ports. */
final class Runs {
  private Runs() {}

  /** Runs a {@code keyprov} command in this JVM and returns its output; fails if it does. */
  static String keyprov(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Main.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
    if (code != 0) {
      throw new IllegalStateException(
          "keyprov " + String.join(" ", args) + " failed (" + code + "): " + err);
    }
    return out.toString();
  }

  static String lastLine(String text) {
    String[] lines = text.strip().split("\n");
    return lines[lines.length - 1].strip();
  }

  /**
   * Adds {@code devices} devices named by {@code endpoint}, each with a random DM PSK (its identity
   * is its endpoint) and the Enabler {@code fqdn}; returns the PSKs in order.
   */
  static List<byte[]> addDevices(
      KeyManager km, int devices, IntFunction<String> endpoint, String fqdn) {
    List<NewDevice> list = new ArrayList<>();
    List<byte[]> psks = new ArrayList<>();
    SecureRandom random = new SecureRandom();
    for (int i = 0; i < devices; i++) {
      byte[] psk = new byte[16];
      random.nextBytes(psk);
      psks.add(psk.clone());
      list.add(new NewDevice(endpoint.apply(i), endpoint.apply(i), psk));
    }
    km.admin().addDevices(list, "bench");
    for (int i = 0; i < devices; i++) {
      km.admin().assign(endpoint.apply(i), fqdn, "bench");
    }
    return psks;
  }

  /**
   * The arguments of a {@code keyprov enabler} for {@code fqdn} on loopback CoAPs {@code port} (TLS
   * off), reaching the Key Manager at {@code keyManager} with its certificate and this Enabler's
   * credential.
   */
  static String[] enablerArgs(
      String fqdn, int port, String keyManager, Path certificate, Path credentialFile) {
    return new String[] {
      "enabler",
      "--fqdn",
      fqdn,
      "--bind",
      "127.0.0.1",
      "--coaps-port",
      String.valueOf(port),
      "--tls-port",
      "-1",
      "--key-manager",
      keyManager,
      "--key-manager-cert",
      certificate.toString(),
      "--credential-file",
      credentialFile.toString()
    };
  }

  /** A logback configuration for child processes: keyprov at INFO, the rest at WARN. */
  static Path childLogConfig(Path dir) throws IOException {
    return Files.writeString(
        dir.resolve("logback-child.xml"),
        "<configuration><appender name=\"OUT\" class=\"ch.qos.logback.core.ConsoleAppender\">"
            + "<encoder><pattern>%d{HH:mm:ss.SSS} %-5level [%thread] %logger{0} - %msg%n"
            + "</pattern></encoder></appender><logger name=\"org.keyprov\" level=\"INFO\"/>"
            + "<root level=\"WARN\"><appender-ref ref=\"OUT\"/></root></configuration>");
  }

  static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root)) {
      return;
    }
    try (var paths = Files.walk(root)) {
      for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }

  static int freeUdpPort() throws IOException {
    try (java.net.DatagramSocket s = new java.net.DatagramSocket(0)) {
      return s.getLocalPort();
    }
  }

  static int freeTcpPort() throws IOException {
    try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  /**
   * Writes a node's {@code keyprov.properties}, as deploy/node/keyprov.properties shows it: the
   * PostgreSQL database {@code db} with the test server's user and password, and Redis at {@code
   * redis} unless null; the directory and the file owner-only.
   */
  static void nodeSettings(Path data, javax.sql.DataSource db, java.net.URI redis)
      throws IOException {
    String url;
    try (java.sql.Connection c = db.getConnection()) {
      url = c.getMetaData().getURL();
    } catch (java.sql.SQLException e) {
      throw new IOException("cannot read the database's URL: " + e.getMessage(), e);
    }
    Files.setPosixFilePermissions(data, PosixFilePermissions.fromString("rwx------"));
    Path config = data.resolve("keyprov.properties");
    Files.writeString(
        config,
        "db.url="
            + url
            + "\ndb.user="
            + PostgresServer.USER
            + "\ndb.password="
            + PostgresServer.PASSWORD
            + "\n"
            + (redis == null ? "" : "redis.url=" + redis + "\n"));
    Files.setPosixFilePermissions(config, PosixFilePermissions.fromString("rw-------"));
  }

  /** The arguments of a {@code keyprov server} on loopback with its data in {@code data}. */
  static String[] serverArgs(Path data, int coapsPort, int httpsPort) {
    return new String[] {
      "server",
      "--data-dir",
      data.toString(),
      "--bind",
      "127.0.0.1",
      "--coaps-port",
      String.valueOf(coapsPort),
      "--https-port",
      String.valueOf(httpsPort)
    };
  }

  /**
   * A device of a fleet, as the runs start them: its DM PSK identity is its endpoint, it registers
   * at loopback {@code coapsPort}, keeps its state in {@code stateDir}, waits {@code timeout} for a
   * handshake or an answer, and shares {@code host}'s threads and socket.
   */
  static DeviceClient.Builder device(
      String endpoint,
      byte[] psk,
      int coapsPort,
      Path stateDir,
      Duration lifetime,
      Duration timeout,
      ClientHost host) {
    return DeviceClient.builder()
        .endpoint(endpoint)
        .dmServer(java.net.URI.create("coaps://127.0.0.1:" + coapsPort))
        .dmPsk(endpoint, psk)
        .stateFile(stateDir.resolve(endpoint + ".state"))
        .lifetime(lifetime)
        .connectTimeout(timeout)
        .requestTimeout(timeout)
        .host(host);
  }
}
