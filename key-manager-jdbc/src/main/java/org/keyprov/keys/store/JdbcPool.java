package org.keyprov.keys.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.pool.HikariPool;
import java.nio.file.Path;
import javax.sql.DataSource;
import org.keyprov.keys.KeyManagerException;
import org.keyprov.keys.KeyManagerException.Kind;

/** A connection pool over the Key Manager's database; closing it closes every connection. */
public final class JdbcPool implements AutoCloseable {
  private final HikariDataSource dataSource;

  private JdbcPool(HikariDataSource dataSource) {
    this.dataSource = dataSource;
  }

  /**
   * A pool of at most {@code connections} over {@code url} (H2 or PostgreSQL), checked by opening
   * one connection at once: a database that cannot be reached fails here, with the driver's reason,
   * not at the first request.
   */
  public static JdbcPool open(String url, String user, String password, int connections) {
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(url);
    config.setUsername(user);
    config.setPassword(password);
    config.setMaximumPoolSize(connections);
    config.setPoolName("keyprov");
    try {
      return new JdbcPool(new HikariDataSource(config));
    } catch (HikariPool.PoolInitializationException e) {
      Throwable cause = e.getCause() == null ? e : e.getCause();
      throw new KeyManagerException(
          Kind.STORAGE, "cannot open the database " + url + ": " + cause.getMessage(), e);
    }
  }

  /** A pool over the H2 file at {@code base} with {@code settings} (see {@link #h2Url}). */
  public static JdbcPool h2(Path base, int connections, String... settings) {
    return open(h2Url(base, settings), "keyprov", "", connections);
  }

  /**
   * {@code jdbc:h2:file:<base>} with {@code settings} (e.g. {@code AUTO_SERVER=TRUE}) appended.
   *
   * <p>Always adds {@code MAX_COMPACT_TIME=0}: H2 2.3.232 compacts the file when its last
   * connection closes, and a database reopened after that compaction can miss rows committed just
   * before it (an index lookup of a device added by the previous {@code keyprov admin} call found
   * nothing, reproduced by {@code
   * KeyManagerTest.every_row_survives_closing_and_reopening_the_file}). The file still shrinks in
   * the background while open.
   */
  public static String h2Url(Path base, String... settings) {
    StringBuilder url = new StringBuilder("jdbc:h2:file:").append(base.toAbsolutePath());
    for (String setting : settings) {
      url.append(';').append(setting);
    }
    return url.append(";MAX_COMPACT_TIME=0").toString();
  }

  public DataSource dataSource() {
    return dataSource;
  }

  /**
   * Publishes the pool's meters (connections in use, idle, pending; acquire and usage times) to
   * {@code registry}, a Micrometer {@code MeterRegistry} (HikariCP binds it itself), once.
   */
  public void meterInto(Object registry) {
    dataSource.setMetricRegistry(registry);
  }

  /**
   * What is wrong with the database now, or null if it hands out a connection that answers within
   * {@code seconds}.
   */
  public String problem(int seconds) throws java.sql.SQLException {
    try (java.sql.Connection c = dataSource.getConnection()) {
      return c.isValid(seconds) ? null : "no answer in " + seconds + " s";
    }
  }

  @Override
  public void close() {
    dataSource.close();
  }
}
