package org.keyprov.app;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.keyprov.keys.KeyManager;
import org.keyprov.keys.MasterKey;
import org.keyprov.keys.store.JdbcKeyManager;
import org.keyprov.keys.store.JdbcPool;

/**
 * The Key Manager on its data directory: the master key, and an H2 file ({@code keyprov.mv.db})
 * opened in auto-server mode, so {@code keyprov admin …} can work while {@code keyprov server} runs
 * — or a PostgreSQL database ({@link DatabaseSettings}), which any number of keyprov processes
 * share.
 */
final class Storage implements AutoCloseable {
  final Path dataDir;
  final KeyManager keyManager;
  final MasterKey masterKey;

  /** On a database other processes may share as nodes (PostgreSQL), not this data directory's. */
  final boolean shared;

  private final JdbcPool pool;

  private Storage(
      Path dataDir, KeyManager keyManager, MasterKey masterKey, boolean shared, JdbcPool pool) {
    this.dataDir = dataDir;
    this.keyManager = keyManager;
    this.masterKey = masterKey;
    this.shared = shared;
    this.pool = pool;
  }

  /**
   * This run of this process among the nodes of a shared database (pid, host and start time): the
   * holder of its provisioning leases, never the same for two runs.
   */
  static String nodeName() {
    ProcessHandle self = ProcessHandle.current();
    return java.lang.management.ManagementFactory.getRuntimeMXBean().getName()
        + "/"
        + self.info().startInstant().map(java.time.Instant::toEpochMilli).orElse(0L);
  }

  /** The domain of a new database when none is given. */
  static final String DEFAULT_DOMAIN = "km.keyprov.local";

  /** The Key Manager on the H2 file in {@code dataDir}. */
  static Storage open(Path dataDir, String domain) throws IOException {
    return open(dataDir, Optional.of(domain), Optional.empty());
  }

  /**
   * On {@code database}, or on the H2 file in {@code dataDir} if empty; with {@code domain}, which
   * must be the database's own, or if empty the database's own ({@link #DEFAULT_DOMAIN} for a new
   * one).
   */
  static Storage open(Path dataDir, Optional<String> domain, Optional<DatabaseSettings> database)
      throws IOException {
    return open(dataDir, domain, database, Optional.empty());
  }

  /**
   * {@link #open(Path, Optional, Optional)}, H2's auto-server (through which admin commands reach
   * the file while a server has it open) on {@code h2Port} instead of a port H2 picks.
   */
  static Storage open(
      Path dataDir,
      Optional<String> domain,
      Optional<DatabaseSettings> database,
      Optional<Integer> h2Port)
      throws IOException {
    if (!Files.exists(dataDir)) {
      // the database holds only sealed secrets, but nobody else needs to read it either
      Files.createDirectories(
          dataDir,
          java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
              java.nio.file.attribute.PosixFilePermissions.fromString("rwx------")));
    }
    MasterKey masterKey = MasterKeyFile.load(dataDir, System.getenv(MasterKeyFile.ENV));
    // H2 caches 8 parsed statements per connection by default; a provisioning pass uses more, and
    // parsing them again was 5% of the DM server's CPU at 10,000 devices (BENCHMARKS.md §2)
    JdbcPool pool =
        database
            .map(d -> JdbcPool.open(d.url(), d.user(), d.password(), 10))
            .orElseGet(
                () ->
                    h2Port.isPresent()
                        ? JdbcPool.h2(
                            dataDir.resolve("keyprov"),
                            10,
                            "AUTO_SERVER=TRUE",
                            "AUTO_SERVER_PORT=" + h2Port.get(),
                            "QUERY_CACHE_SIZE=64")
                        : JdbcPool.h2(
                            dataDir.resolve("keyprov"),
                            10,
                            "AUTO_SERVER=TRUE",
                            "QUERY_CACHE_SIZE=64"));
    try {
      KeyManager km =
          JdbcKeyManager.builder()
              .dataSource(pool.dataSource())
              .masterKey(masterKey)
              .domain(
                  domain.orElseGet(
                      () -> JdbcKeyManager.storedDomain(pool.dataSource()).orElse(DEFAULT_DOMAIN)))
              .build()
              .start();
      return new Storage(dataDir, km, masterKey, database.isPresent(), pool);
    } catch (RuntimeException e) {
      pool.close();
      throw e;
    }
  }

  /** The pool's connections, as meters in {@code registry}. */
  void meterInto(io.micrometer.core.instrument.MeterRegistry registry) {
    pool.meterInto(registry);
  }

  /** What is wrong with the database now, or null. */
  String databaseProblem() throws java.sql.SQLException {
    return pool.problem((int) Readiness.WAIT.toSeconds());
  }

  /**
   * This storage for a command run inside the server that opened it: closing the view closes
   * nothing.
   */
  Storage borrowed() {
    return new Storage(dataDir, keyManager, masterKey, shared, null);
  }

  @Override
  public void close() {
    if (pool == null) {
      return; // borrowed: the server closes it
    }
    keyManager.close();
    pool.close();
  }
}
