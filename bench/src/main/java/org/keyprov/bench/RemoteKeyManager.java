package org.keyprov.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The handshake benchmark's {@code remote} mode: the seeded store copied into a data directory of
 * its own and served by a {@code keyprov server} in another JVM, so the Enabler's process holds no
 * Key Manager (no JDBC, no H2, no Key Manager code to compile) — what a deployed Enabler is.
 */
final class RemoteKeyManager implements AutoCloseable {
  private final Child server;
  private final Path data;
  private final int https;

  private RemoteKeyManager(Child server, Path data, int https) {
    this.server = server;
    this.data = data;
    this.https = https;
  }

  /** Copies the (closed) store at {@code store}, issues an Enabler credential, starts a server. */
  static RemoteKeyManager start(Path store) throws IOException, InterruptedException {
    Path data = store.resolveSibling(store.getFileName() + "-remote");
    Runs.deleteTree(data);
    Files.createDirectories(data);
    Files.copy(store.resolve("bench.mv.db"), data.resolve("keyprov.mv.db"));
    // BenchStore's master key (all zeros), where keyprov server reads one
    Files.writeString(data.resolve("master.key"), "00".repeat(32) + "\n");
    Files.setPosixFilePermissions(
        data.resolve("master.key"),
        java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
    String dir = data.toString();
    String credential =
        Runs.lastLine(
            Runs.keyprov(
                "enabler-credential",
                "create",
                "--data-dir",
                dir,
                "--domain",
                BenchStore.DOMAIN,
                "--naf-fqdn",
                Bench.FQDN));
    Files.writeString(data.resolve("enabler.cred"), credential);
    int https = Runs.freeTcpPort();
    Child.logConfig = Runs.childLogConfig(data);
    Child server =
        Child.start(
            data.resolve("server.log"),
            "keyprov server:",
            "server",
            "--data-dir",
            dir,
            "--domain",
            BenchStore.DOMAIN,
            "--bind",
            "127.0.0.1",
            "--coaps-port",
            "0",
            "--https-port",
            String.valueOf(https));
    return new RemoteKeyManager(server, data, https);
  }

  /** What {@code handshake-server --mode remote} needs to reach it. */
  List<String> enablerArgs() {
    return List.of(
        "--key-manager",
        "https://127.0.0.1:" + https,
        "--key-manager-cert",
        data.resolve("https-cert.pem").toString(),
        "--credential-file",
        data.resolve("enabler.cred").toString());
  }

  @Override
  public void close() throws InterruptedException {
    server.close();
  }
}
