package org.keyprov.keys.store.testing;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * Debian's {@code redis-server}, run by a test on a free loopback port with nothing saved to disk
 * (beside {@link PostgresServer}: the real servers keyprov's tests run). Skipped with a message
 * where it is missing, unless {@value #REQUIRED} is set ({@code .ci/run} sets it): then the test
 * fails.
 */
public final class RedisServer implements AutoCloseable {
  public static final String REQUIRED = "KEYPROV_REQUIRE_REDIS";

  private static final Path BINARY = Path.of("/usr/bin/redis-server");

  public final int port;
  private final Process process;
  private final Path log;

  private RedisServer(Process process, int port, Path log) {
    this.process = process;
    this.port = port;
    this.log = log;
  }

  /** Starts a Redis of its own, its log in {@code workDir}, and waits until it answers. */
  public static RedisServer start(Path workDir) throws IOException {
    if (!Files.isExecutable(BINARY)) {
      String missing =
          "Redis is not installed (no " + BINARY + "): apt-get install -y redis-server";
      if (System.getenv(REQUIRED) != null) {
        throw new IllegalStateException(missing + " (" + REQUIRED + " is set)");
      }
      System.err.println("SKIPPED: " + missing);
      Assumptions.abort(missing);
    }
    Path dir = Files.createDirectories(workDir.toAbsolutePath());
    int port;
    try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = probe.getLocalPort();
    }
    Path log = dir.resolve("redis.log");
    Process p =
        new ProcessBuilder(
                BINARY.toString(),
                "--port",
                Integer.toString(port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                dir.toString())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    RedisServer redis = new RedisServer(p, port, log);
    try {
      await()
          .atMost(Duration.ofSeconds(10))
          .pollInterval(Duration.ofMillis(50))
          .until(() -> !p.isAlive() || redis.answersPing());
      if (!p.isAlive()) {
        throw new IllegalStateException("redis-server did not start: " + redis.log());
      }
    } catch (RuntimeException e) {
      redis.close();
      throw e;
    }
    return redis;
  }

  /** Its URL, as {@code keyprov server --redis-url} takes it. */
  public URI url() {
    return URI.create("redis://127.0.0.1:" + port);
  }

  /** Bytes of memory Redis uses for data now ({@code INFO memory}: {@code used_memory}). */
  public long usedMemory() throws IOException {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 1000);
      s.setSoTimeout(2000);
      s.getOutputStream().write("INFO memory\r\n".getBytes(StandardCharsets.US_ASCII));
      java.io.BufferedReader in =
          new java.io.BufferedReader(
              new java.io.InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        if (line.startsWith("used_memory:")) {
          return Long.parseLong(line.substring("used_memory:".length()).trim());
        }
      }
      throw new IOException("Redis's INFO memory has no used_memory");
    }
  }

  private boolean answersPing() {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 200);
      s.setSoTimeout(500);
      OutputStream out = s.getOutputStream();
      out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = s.getInputStream();
      byte[] answer = in.readNBytes(7);
      return new String(answer, StandardCharsets.US_ASCII).equals("+PONG\r\n");
    } catch (IOException e) {
      return false;
    }
  }

  public String log() {
    try {
      return Files.readString(log, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
