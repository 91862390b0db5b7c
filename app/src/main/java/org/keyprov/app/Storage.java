package org.keyprov.app;

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
  private final H2Files.Pool pool;

  private Storage(Path dataDir, KeyManager keyManager, MasterKey masterKey, H2Files.Pool pool) {
    this.dataDir = dataDir;
    this.keyManager = keyManager;
    this.masterKey = masterKey;
    this.pool = pool;
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
    // H2 caches 8 parsed statements per connection by default; a provisioning pass uses more, and
    // parsing them again was 5% of the DM server's CPU at 10,000 devices (BENCHMARKS.md §2)
    H2Files.Pool pool =
        H2Files.pool(dataDir.resolve("keyprov"), 10, "AUTO_SERVER=TRUE", "QUERY_CACHE_SIZE=64");
    try {
      KeyManager km =
          JdbcKeyManager.builder()
              .dataSource(pool.dataSource())
              .masterKey(masterKey)
              .domain(domain)
              .build()
              .start();
      return new Storage(dataDir, km, masterKey, pool);
    } catch (RuntimeException e) {
      pool.close();
      throw e;
    }
  }

  @Override
  public void close() {
    keyManager.close();
    pool.close();
  }
}
