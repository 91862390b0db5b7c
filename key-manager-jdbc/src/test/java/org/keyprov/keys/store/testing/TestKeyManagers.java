package org.keyprov.keys.store.testing;

import java.net.URI;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import javax.sql.DataSource;
import org.h2.jdbcx.JdbcDataSource;
import org.keyprov.keys.EnablerProfile;
import org.keyprov.keys.KeyManager;
import org.keyprov.keys.MasterKey;
import org.keyprov.keys.store.JdbcKeyManager;

/** Real Key Managers on real databases (H2 files, or {@link PostgresServer}) for tests. */
public final class TestKeyManagers {
  public static final String DOMAIN = "km.test";
  public static final MasterKey MASTER_KEY =
      MasterKey.of(
          HexFormat.of()
              .parseHex("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"));

  private TestKeyManagers() {}

  /** An H2 file database in {@code dir}, closed when its last connection closes. */
  public static DataSource h2(Path dir) {
    JdbcDataSource ds = new JdbcDataSource();
    ds.setURL(org.keyprov.keys.store.JdbcPool.h2Url(dir.resolve("keyprov"), "DB_CLOSE_DELAY=0"));
    ds.setUser("keyprov");
    ds.setPassword("");
    return ds;
  }

  public static KeyManager started(Path dir, Clock clock, SecureRandom random) {
    return started(h2(dir), clock, random);
  }

  public static KeyManager started(DataSource database, Clock clock, SecureRandom random) {
    return JdbcKeyManager.builder()
        .dataSource(database)
        .masterKey(MASTER_KEY)
        .domain(DOMAIN)
        .clock(clock)
        .random(random)
        .build()
        .start();
  }

  public static KeyManager started(Path dir) {
    return started(dir, Clock.systemUTC(), new SecureRandom());
  }

  public static KeyManager started(DataSource database) {
    return started(database, Clock.systemUTC(), new SecureRandom());
  }

  /** A DTLS-PSK Enabler profile with a one-day key lifetime. */
  public static EnablerProfile enabler(String fqdn, int port) {
    return EnablerProfile.dtls(fqdn, URI.create("coaps://127.0.0.1:" + port), Duration.ofDays(1));
  }
}
