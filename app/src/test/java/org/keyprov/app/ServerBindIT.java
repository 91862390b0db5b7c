package org.keyprov.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code keyprov server} as a process of its own: it listens on this machine only by default. */
class ServerBindIT {
  @TempDir Path dir;

  @Test
  void a_port_another_process_holds_is_named_with_the_option_that_chose_it() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      String port = String.valueOf(taken.getLocalPort());
      String data = dir.resolve("data").toString();
      Cli https = Cli.run("server", "--data-dir", data, "--coaps-port", "0", "--https-port", port);
      assertThat(https.exitCode()).isEqualTo(1);
      assertThat(https.err())
          .contains("--https-port " + port + ": cannot listen on 127.0.0.1:" + port)
          .contains("another process holds it")
          .doesNotContain("unexpected");
      Cli ops =
          Cli.run(
              "server",
              "--data-dir",
              data,
              "--coaps-port",
              "0",
              "--https-port",
              "0",
              "--management-port",
              port);
      assertThat(ops.exitCode()).isEqualTo(1);
      assertThat(ops.err()).contains("--management-port " + port + ": cannot listen on");
    }
  }

  @Test
  void a_server_started_without_bind_listens_on_loopback_only_and_says_how_to_open_it()
      throws Exception {
    int https;
    try (ServerSocket probe = new ServerSocket(0)) {
      https = probe.getLocalPort();
    }
    Path log = dir.resolve("server.log");
    Process server = startServer(https, log);
    try {
      await()
          .atMost(Duration.ofSeconds(60))
          .until(() -> !server.isAlive() || Files.readString(log).contains("keyprov server:"));
      String banner = Files.readString(log);
      assertThat(banner)
          .contains("DM server at coaps://127.0.0.1:")
          .contains("listening on this machine only: --bind 0.0.0.0");
      assertThat(connects(InetAddress.getLoopbackAddress(), https)).isTrue();
      Optional<InetAddress> other = nonLoopbackAddress();
      if (other.isPresent()) {
        assertThat(connects(other.get(), https))
            .as("HTTPS reached at " + other.get().getHostAddress())
            .isFalse();
      } else {
        System.err.println("ServerBindIT: no non-loopback address here; checked loopback only");
      }
      // H2's auto-server, for admin commands beside the server, serves this machine only
      java.util.regex.Matcher h2 =
          java.util.regex.Pattern.compile("server=localhost\\\\:(\\d+)")
              .matcher(
                  Files.readString(
                      dir.resolve("data").resolve("keyprov.lock.db"),
                      java.nio.charset.StandardCharsets.ISO_8859_1));
      assertThat(h2.find()).as("H2 names its auto-server in keyprov.lock.db").isTrue();
      int h2Port = Integer.parseInt(h2.group(1));
      assertThat(connects(InetAddress.getLoopbackAddress(), h2Port)).isTrue();
      // and the process listens on nothing else: the DM endpoint, HTTPS and H2, all on loopback
      int coaps =
          Integer.parseInt(
              banner.replaceAll("(?s).*DM server at coaps://127\\.0\\.0\\.1:(\\d+).*", "$1"));
      assertThat(ListeningSockets.of(server.pid()))
          .containsExactlyInAnyOrder(
              "udp 127.0.0.1:" + coaps, "tcp 127.0.0.1:" + https, "tcp 127.0.0.1:" + h2Port);
      if (other.isPresent()) {
        assertThat(connects(other.get(), h2Port))
            .as("H2 auto-server reached at " + other.get().getHostAddress())
            .isFalse();
      }

      // admin commands on this host run in the server, over its API: one writer, no second JVM
      // opening the database
      Path adminFile = dir.resolve("data").resolve(LocalAdminFile.NAME);
      await().atMost(Duration.ofSeconds(30)).until(() -> Files.exists(adminFile));
      assertThat(
              java.nio.file.attribute.PosixFilePermissions.toString(
                  Files.getPosixFilePermissions(adminFile)))
          .isEqualTo("rw-------");
      // and over a Unix socket of the owner's only, which serves nothing but the command line
      Path socket = dir.resolve("data").resolve(LocalAdminFile.SOCKET);
      assertThat(
              java.nio.file.attribute.PosixFilePermissions.toString(
                  Files.getPosixFilePermissions(socket)))
          .isEqualTo("rw-------");
      assertThat(Files.readString(adminFile)).contains("socket=" + socket.toAbsolutePath());
      assertThat(overSocket(socket, "GET /api/v1/devices HTTP/1.0\r\nHost: localhost\r\n\r\n"))
          .contains(" 404 ");
      assertThat(overSocket(socket, "GET /zn/v1/keys HTTP/1.0\r\nHost: localhost\r\n\r\n"))
          .contains(" 404 ");
      assertThat(
              overSocket(
                  socket,
                  "POST /api/v1/admin/cli HTTP/1.0\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                      + "Content-Length: 2\r\n\r\n{}"))
          .as("not without the secret")
          .contains(" 403 ");
      Admin added = admin("add-device", "--endpoint", "ep-cli");
      assertThat(added.exit()).as(added.output()).isZero();
      assertThat(added.output())
          .contains("device ep-cli added")
          .containsPattern("DM PSK \\(shown once, flash it to the device\\): [0-9a-f]{32}");
      Admin status = admin("status", "--json");
      assertThat(status.exit()).as(status.output()).isZero();
      assertThat(
              new com.fasterxml.jackson.databind.ObjectMapper()
                  .readTree(status.output())
                  .get(0)
                  .get("endpoint")
                  .asText())
          .isEqualTo("ep-cli");
      Admin audit = admin("audit");
      assertThat(audit.output()).contains("cli:" + System.getProperty("user.name"));
      Admin refused = admin("add-device", "--endpoint", "ep-cli");
      assertThat(refused.exit()).isEqualTo(2);
      assertThat(refused.output()).contains("ep-cli").doesNotContain("Exception");
      System.err.printf(
          "ServerBindIT: admin add-device %d ms, status --json %d ms over the server's API%n",
          added.millis(), status.millis());

      // a second server on the same data directory is refused, naming the one that runs
      Path secondLog = dir.resolve("second.log");
      Process second = startServer(0, secondLog);
      assertThat(second.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
      assertThat(second.exitValue()).isNotZero();
      assertThat(Files.readString(secondLog))
          .contains("another keyprov server runs on " + dir.resolve("data").toAbsolutePath())
          .contains("pid " + server.pid())
          .doesNotContain("Exception");
    } finally {
      server.destroy();
      server.waitFor();
    }
    assertThat(dir.resolve("data").resolve(LocalAdminFile.NAME))
        .as("gone with the server: admin commands open the database again")
        .doesNotExist();
    assertThat(dir.resolve("data").resolve(LocalAdminFile.SOCKET)).doesNotExist();
    Admin direct = admin("status", "--json");
    assertThat(direct.exit()).as(direct.output()).isZero();
    assertThat(direct.output()).contains("ep-cli");
    System.err.printf("ServerBindIT: admin status --json %d ms on the database%n", direct.millis());
    // stopped cleanly (SIGTERM): its DTLS sessions wait, sealed and private, for the next start
    Path sessions = dir.resolve("data").resolve("dm-dtls-sessions.sealed");
    assertThat(sessions).exists();
    assertThat(
            java.nio.file.attribute.PosixFilePermissions.toString(
                Files.getPosixFilePermissions(sessions)))
        .isEqualTo("rw-------");
  }

  /** What the server answers to {@code request} on the Unix socket {@code socket}. */
  private static String overSocket(Path socket, String request) throws Exception {
    try (java.nio.channels.SocketChannel channel =
        java.nio.channels.SocketChannel.open(java.net.StandardProtocolFamily.UNIX)) {
      channel.connect(java.net.UnixDomainSocketAddress.of(socket));
      channel.write(
          java.nio.ByteBuffer.wrap(request.getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
      java.io.ByteArrayOutputStream got = new java.io.ByteArrayOutputStream();
      java.nio.ByteBuffer buffer = java.nio.ByteBuffer.allocate(8192);
      while (channel.read(buffer) >= 0) {
        got.write(buffer.array(), 0, buffer.position());
        buffer.clear();
      }
      return got.toString(java.nio.charset.StandardCharsets.UTF_8);
    }
  }

  @Test
  void with_a_bootstrap_port_a_device_with_only_its_factory_credential_registers()
      throws Exception {
    Cli alone = Cli.run("server", "--data-dir", dir.toString(), "--rotate-dm-psk-after", "90d");
    assertThat(alone.exitCode()).isEqualTo(2);
    assertThat(alone.err()).contains("--rotate-dm-psk-after is for the bootstrap server");

    Path log = dir.resolve("server.log");
    int h2Port;
    int lookupPort;
    try (ServerSocket probe = new ServerSocket(0);
        ServerSocket other = new ServerSocket(0)) {
      h2Port = probe.getLocalPort();
      lookupPort = other.getLocalPort();
    }
    Process server =
        startServer(
            0,
            log,
            "--bootstrap-port",
            "0",
            "--rotate-dm-psk-after",
            "90d",
            "--h2-port",
            String.valueOf(h2Port),
            "--lookup-port",
            String.valueOf(lookupPort));
    try {
      await()
          .atMost(Duration.ofSeconds(60))
          .until(() -> !server.isAlive() || Files.readString(log).contains("keyprov server:"));
      String banner = Files.readString(log);
      java.util.regex.Matcher bs =
          java.util.regex.Pattern.compile("bootstrap server at (coaps://127\\.0\\.0\\.1:(\\d+))")
              .matcher(banner);
      assertThat(bs.find()).as(banner).isTrue();
      assertThat(ListeningSockets.of(server.pid()))
          .contains("udp 127.0.0.1:" + bs.group(2))
          // H2's auto-server on the port it was given
          .contains("tcp 127.0.0.1:" + h2Port)
          // and the Enablers' own lookup port
          .contains("tcp 127.0.0.1:" + lookupPort);
      String factory = "00112233445566778899aabbccddeeff";
      Cli added =
          Cli.run(
              "admin",
              "add-device",
              "--data-dir",
              dir.resolve("data").toString(),
              "--endpoint",
              "dev-bs",
              "--bs-psk",
              factory);
      assertThat(added.exitCode()).as(added.err()).isZero();
      assertThat(added.out()).contains("gets its DM PSK from the bootstrap server");

      try (org.keyprov.client.DeviceClient device =
          org.keyprov.client.DeviceClient.builder()
              .endpoint("dev-bs")
              .bootstrap(
                  java.net.URI.create(bs.group(1)),
                  "dev-bs",
                  java.util.HexFormat.of().parseHex(factory))
              .stateFile(dir.resolve("dev-bs.state"))
              .build()) {
        device.start();
        await().atMost(Duration.ofSeconds(30)).until(device::isRegistered);
      }
      Cli audit = Cli.run("admin", "audit", "--data-dir", dir.resolve("data").toString());
      assertThat(audit.out()).contains("device.bootstrapped").contains("device.dm_psk_rotated");
    } finally {
      server.destroy();
      server.waitFor();
    }
  }

  private record Admin(int exit, String output, long millis) {}

  /** {@code keyprov COMMAND} in a JVM of its own, on this test's class path. */
  private static java.util.List<String> keyprov(String command) {
    return new java.util.ArrayList<>(
        java.util.List.of(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-cp",
            System.getProperty("java.class.path"),
            Main.class.getName(),
            command));
  }

  /** {@code keyprov admin ARGS} on the test's data directory, as a process of its own. */
  private Admin admin(String... args) throws Exception {
    java.util.List<String> command = keyprov("admin");
    command.addAll(java.util.List.of(args));
    command.addAll(java.util.List.of("--data-dir", dir.resolve("data").toString()));
    long start = System.nanoTime();
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output =
        new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
    return new Admin(p.exitValue(), output, (System.nanoTime() - start) / 1_000_000);
  }

  /** {@code keyprov server} on the test's data directory, DM port 0, its output in {@code log}. */
  private Process startServer(int httpsPort, Path log, String... more) throws IOException {
    java.util.List<String> command = keyprov("server");
    command.addAll(
        java.util.List.of(
            "--data-dir",
            dir.resolve("data").toString(),
            "--coaps-port",
            "0",
            "--https-port",
            String.valueOf(httpsPort)));
    command.addAll(java.util.List.of(more));
    return new ProcessBuilder(command)
        .redirectErrorStream(true)
        .redirectOutput(log.toFile())
        .start();
  }

  private static boolean connects(InetAddress address, int port) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(address, port), 1000);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static Optional<InetAddress> nonLoopbackAddress() throws IOException {
    return NetworkInterface.networkInterfaces()
        .filter(
            i -> {
              try {
                return i.isUp() && !i.isLoopback();
              } catch (IOException e) {
                return false;
              }
            })
        .flatMap(NetworkInterface::inetAddresses)
        .filter(a -> a instanceof Inet4Address && !a.isLoopbackAddress())
        .findFirst();
  }
}
