package org.keyprov.keys.store.testing;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipal;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import javax.sql.DataSource;
import org.junit.jupiter.api.Assumptions;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * A real PostgreSQL server for tests: a private cluster ({@code initdb} in a temporary directory,
 * password authentication, loopback only, a free port) started once per JVM from the Debian {@code
 * postgresql} package's binaries and stopped when the JVM exits. Each {@link #newDatabase()} is a
 * fresh, empty database.
 *
 * <p>Where PostgreSQL is not installed the calling test is skipped with a message saying so, unless
 * {@value #REQUIRED} is set ({@code .ci/run} sets it): then it fails, so CI never skips.
 */
public final class PostgresServer {
  /** Environment variable that turns a missing PostgreSQL into a failure instead of a skip. */
  public static final String REQUIRED = "KEYPROV_REQUIRE_POSTGRES";

  public static final String USER = "keyprov";
  public static final String PASSWORD = "keyprov-test-password";

  private static PostgresServer shared;
  private static String unavailable;

  private final Path bin;
  private final Path dir;
  private final List<String> asOwner;
  private final int port;
  private final AtomicInteger databases = new AtomicInteger();

  private PostgresServer(Path bin, Path dir, List<String> asOwner, int port) {
    this.bin = bin;
    this.dir = dir;
    this.asOwner = asOwner;
    this.port = port;
  }

  /** The server of this JVM, started at the first call; skips (or fails) where there is none. */
  public static synchronized PostgresServer shared() {
    if (shared == null && unavailable == null) {
      try {
        shared = start();
      } catch (Unavailable e) {
        unavailable = e.getMessage();
      } catch (IOException e) {
        throw new IllegalStateException("could not start PostgreSQL: " + e.getMessage(), e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while starting PostgreSQL", e);
      }
    }
    if (shared == null) {
      if (System.getenv(REQUIRED) != null) {
        throw new IllegalStateException(unavailable + " (" + REQUIRED + " is set)");
      }
      System.err.println("SKIPPED: " + unavailable);
      Assumptions.abort(unavailable);
    }
    return shared;
  }

  /** A new, empty database owned by {@link #USER}. */
  public DataSource newDatabase() {
    String name = "kp_" + databases.incrementAndGet();
    try (Connection c = dataSource("postgres").getConnection();
        Statement s = c.createStatement()) {
      s.execute("CREATE DATABASE " + name);
    } catch (SQLException e) {
      throw new IllegalStateException("could not create database " + name, e);
    }
    return dataSource(name);
  }

  /** The JDBC URL of database {@code name} on this server. */
  public String url(String name) {
    return "jdbc:postgresql://127.0.0.1:" + port + "/" + name;
  }

  private DataSource dataSource(String name) {
    PGSimpleDataSource ds = new PGSimpleDataSource();
    ds.setUrl(url(name));
    ds.setUser(USER);
    ds.setPassword(PASSWORD);
    return ds;
  }

  private static PostgresServer start() throws IOException, InterruptedException {
    Path bin =
        binaries()
            .orElseThrow(
                () ->
                    new Unavailable(
                        "PostgreSQL is not installed (no initdb under /usr/lib/postgresql/*/bin or in"
                            + " KEYPROV_POSTGRES_BIN): apt-get install -y postgresql"));
    Path dir = Files.createTempDirectory("keyprov-pg");
    List<String> asOwner = new ArrayList<>();
    if ("root".equals(System.getProperty("user.name"))) {
      // PostgreSQL refuses to run as root; Debian's package creates the user 'postgres' for it
      UserPrincipal postgres;
      try {
        postgres =
            dir.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("postgres");
      } catch (IOException e) {
        throw new Unavailable("running as root and there is no user 'postgres' to run PostgreSQL");
      }
      Files.setOwner(dir, postgres);
      asOwner.addAll(List.of("runuser", "-u", "postgres", "--"));
    }
    Path passwordFile = dir.resolve("password");
    Files.writeString(passwordFile, PASSWORD + "\n", StandardCharsets.UTF_8);
    if (!asOwner.isEmpty()) {
      Files.setOwner(passwordFile, Files.getOwner(dir));
    }
    int port;
    try (ServerSocket probe = new ServerSocket(0)) {
      port = probe.getLocalPort();
    }
    PostgresServer server = new PostgresServer(bin, dir, asOwner, port);
    server.run(
        "initdb",
        "-D",
        dir.resolve("data").toString(),
        "-U",
        USER,
        "--pwfile=" + passwordFile,
        "--auth=scram-sha-256",
        "--encoding=UTF8",
        "--locale=C.UTF-8",
        "--no-sync");
    Runtime.getRuntime().addShutdownHook(new Thread(server::stop, "postgres-stop"));
    server.run(
        "pg_ctl",
        "-D",
        dir.resolve("data").toString(),
        "-l",
        dir.resolve("postgres.log").toString(),
        "-w",
        "-t",
        "60",
        "-o",
        "-p "
            + port
            + " -k "
            + dir
            + " -c listen_addresses=127.0.0.1 -c fsync=off"
            + " -c synchronous_commit=off -c full_page_writes=off -c max_connections=200",
        "start");
    return server;
  }

  private void stop() {
    try {
      run("pg_ctl", "-D", dir.resolve("data").toString(), "-m", "immediate", "stop");
      try (Stream<Path> files = Files.walk(dir)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    } catch (IOException | InterruptedException | IllegalStateException e) {
      System.err.println("could not stop the test PostgreSQL in " + dir + ": " + e.getMessage());
    }
  }

  private void run(String tool, String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(asOwner);
    command.add(bin.resolve(tool).toString());
    command.addAll(List.of(args));
    Path log = Files.createTempFile("keyprov-pg-" + tool, ".log");
    Process p =
        new ProcessBuilder(command)
            .directory(dir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    boolean done = p.waitFor(120, TimeUnit.SECONDS);
    String output = Files.readString(log);
    Files.deleteIfExists(log);
    if (!done || p.exitValue() != 0) {
      p.destroyForcibly();
      throw new IllegalStateException(
          String.join(" ", command) + " failed" + (done ? "" : " (timed out)") + ":\n" + output);
    }
  }

  private static Optional<Path> binaries() throws IOException {
    String configured = System.getenv("KEYPROV_POSTGRES_BIN");
    if (configured != null) {
      return Optional.of(Path.of(configured)).filter(p -> Files.isExecutable(p.resolve("initdb")));
    }
    Path debian = Path.of("/usr/lib/postgresql");
    if (!Files.isDirectory(debian)) {
      return Optional.empty();
    }
    try (Stream<Path> versions = Files.list(debian)) {
      return versions
          .map(v -> v.resolve("bin"))
          .filter(b -> Files.isExecutable(b.resolve("initdb")))
          .max(Comparator.comparingInt(PostgresServer::major));
    }
  }

  private static int major(Path bin) {
    try {
      return Integer.parseInt(bin.getParent().getFileName().toString());
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  /** PostgreSQL cannot run here; the message says why and what to install. */
  private static final class Unavailable extends RuntimeException {
    Unavailable(String message) {
      super(message);
    }
  }
}
