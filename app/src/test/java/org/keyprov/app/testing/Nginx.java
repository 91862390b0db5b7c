package org.keyprov.app.testing;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * Debian's nginx with the stream module, run by a test as the load balancer of {@code
 * deploy/nginx/keyprov.conf}: the same file, with its example node addresses and listen ports
 * replaced by the test's loopback ones. Skipped with a message where nginx or its stream module is
 * missing, unless {@value #REQUIRED} is set ({@code .ci/run} sets it): then the test fails.
 */
public final class Nginx implements AutoCloseable {
  public static final String REQUIRED = "KEYPROV_REQUIRE_NGINX";

  /** The deployed file, found from the working directory: the repository or one of its modules. */
  static final Path DEPLOYED = deployed();

  private static final Path BINARY = Path.of("/usr/sbin/nginx");
  private static final Path STREAM_MODULE = Path.of("/usr/lib/nginx/modules/ngx_stream_module.so");

  /** The node addresses of the deployed file, in order: node-a, node-b. */
  private static final List<String> EXAMPLE_NODES = List.of("10.0.0.11", "10.0.0.12");

  public final int coapsPort;
  public final int httpsPort;
  private final Process process;
  private final Path dir;

  private Nginx(Process process, Path dir, int coapsPort, int httpsPort) {
    this.process = process;
    this.dir = dir;
    this.coapsPort = coapsPort;
    this.httpsPort = httpsPort;
  }

  /** One node's ports, as nginx is to reach them on loopback. */
  public record Node(int coapsPort, int httpsPort) {}

  /**
   * Starts nginx on loopback {@code coapsPort} (UDP) and {@code httpsPort} (TCP), its files in
   * {@code workDir}.
   */
  public static Nginx start(Path workDir, int coapsPort, int httpsPort, List<Node> nodes)
      throws IOException, InterruptedException {
    if (!Files.isExecutable(BINARY) || !Files.exists(STREAM_MODULE)) {
      String missing =
          "nginx with its stream module is not installed (no "
              + (Files.isExecutable(BINARY) ? STREAM_MODULE : BINARY)
              + "): apt-get install -y nginx libnginx-mod-stream";
      if (System.getenv(REQUIRED) != null) {
        throw new IllegalStateException(missing + " (" + REQUIRED + " is set)");
      }
      Assumptions.abort(missing);
    }
    Path dir = workDir.toAbsolutePath(); // nginx would read relative ones from its prefix
    Path conf = dir.resolve("nginx.conf");
    Files.writeString(conf, configure(Files.readString(DEPLOYED), coapsPort, httpsPort, nodes));
    Process p =
        new ProcessBuilder(
                BINARY.toString(),
                "-p",
                dir.toString(),
                "-c",
                conf.toString(),
                "-e",
                dir.resolve("error.log").toString(),
                "-g",
                "daemon off; pid " + dir.resolve("nginx.pid") + ";")
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("nginx.out").toFile())
            .start();
    Nginx nginx = new Nginx(p, dir, coapsPort, httpsPort);
    try {
      try {
        await().atMost(Duration.ofSeconds(10)).until(() -> !p.isAlive() || listens(httpsPort));
      } catch (org.awaitility.core.ConditionTimeoutException e) {
        throw new IllegalStateException("nginx did not listen within 10 s: " + nginx.log(), e);
      }
      if (!p.isAlive()) {
        throw new IllegalStateException("nginx did not start: " + nginx.log());
      }
    } catch (RuntimeException e) {
      nginx.close();
      throw e;
    }
    return nginx;
  }

  /** The deployed configuration with loopback listen ports and node addresses. */
  static String configure(String deployed, int coapsPort, int httpsPort, List<Node> nodes) {
    String conf =
        deployed
            .replace("listen 5684 udp", "listen 127.0.0.1:" + coapsPort + " udp")
            .replace("listen 8443;", "listen 127.0.0.1:" + httpsPort + ";");
    for (int i = 0; i < EXAMPLE_NODES.size(); i++) {
      String example = EXAMPLE_NODES.get(i);
      if (i < nodes.size()) {
        conf =
            conf.replace(example + ":5684", "127.0.0.1:" + nodes.get(i).coapsPort())
                .replace(example + ":8443", "127.0.0.1:" + nodes.get(i).httpsPort());
      }
    }
    if (conf.contains("10.0.0.") || !conf.contains("127.0.0.1:" + coapsPort + " udp")) {
      throw new IllegalStateException(
          DEPLOYED + " no longer has the example nodes and ports this test replaces");
    }
    return conf;
  }

  private static Path deployed() {
    Path relative = Path.of("deploy", "nginx", "keyprov.conf");
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      if (Files.exists(dir.resolve(relative))) {
        return dir.resolve(relative);
      }
    }
    return relative;
  }

  private static boolean listens(int port) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 200);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  public String log() {
    try {
      Path errors = dir.resolve("error.log");
      return Files.exists(errors)
          ? Files.readString(errors, StandardCharsets.UTF_8)
          : Files.readString(dir.resolve("nginx.out"), StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }

  @Override
  public void close() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(10, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor();
    }
  }
}
