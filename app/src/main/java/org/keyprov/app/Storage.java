package org.keyprov.app;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.keyprov.keys.KeyManager;
import org.keyprov.keys.MasterKey;
import org.keyprov.keys.store.H2Files;
import org.keyprov.keys.store.JdbcKeyManager;

/**
 * The Key Manager on its data directory: an H2 file ({@code keyprov.mv.db}) opened in auto-server
 * mode, so {@code keyprov admin …} can work while {@code keyprov server} runs, and the master key.
 */
final class Storage implements AutoCloseable {
  final Path dataDir;
  final KeyManager keyManager;
  final MasterKey masterKey;
  private final HikariDataSource dataSource;

  private Storage(
      Path dataDir, KeyManager keyManager, MasterKey masterKey, HikariDataSource dataSource) {
    this.dataDir = dataDir;
    this.keyManager = keyManager;
    this.masterKey = masterKey;
    this.dataSource = dataSource;
  }

  static Storage open(Path dataDir, String domain) throws IOException {
    if (!Files.exists(dataDir)) {
      // the database holds only sealed secrets, but nobody else needs to read it either
      Files.createDirectories(
          dataDir,
          java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
              java.nio.file.attribute.PosixFilePermissions.fromString("rwx------")));
    }
    MasterKey masterKey = MasterKeyFile.load(dataDir, System.getenv(MasterKeyFile.ENV));
    HikariConfig config = new HikariConfig();
    // H2 caches 8 parsed statements per connection by default; a provisioning pass uses more, and
    // parsing them again was 5% of the DM server's CPU at 10,000 devices (BENCHMARKS.md §2)
    config.setJdbcUrl(
        H2Files.url(dataDir.resolve("keyprov"), "AUTO_SERVER=TRUE", "QUERY_CACHE_SIZE=64"));
    config.setUsername("keyprov");
    config.setPassword("");
    config.setMaximumPoolSize(10);
    config.setPoolName("keyprov");
    HikariDataSource ds = new HikariDataSource(config);
    try {
      KeyManager km =
          JdbcKeyManager.builder()
              .dataSource(ds)
              .masterKey(masterKey)
              .domain(domain)
              .build()
              .start();
      return new Storage(dataDir, km, masterKey, ds);
    } catch (RuntimeException e) {
      ds.close();
      throw e;
    }
  }

  @Override
  public void close() {
    keyManager.close();
    dataSource.close();
  }
}
