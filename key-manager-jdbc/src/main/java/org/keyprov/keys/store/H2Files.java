package org.keyprov.keys.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.nio.file.Path;
import javax.sql.DataSource;

/** JDBC URLs of the embedded H2 file database, with the settings every opener must share. */
public final class H2Files {
  private H2Files() {}

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
  public static String url(Path base, String... settings) {
    StringBuilder url = new StringBuilder("jdbc:h2:file:").append(base.toAbsolutePath());
    for (String setting : settings) {
      url.append(';').append(setting);
    }
    return url.append(";MAX_COMPACT_TIME=0").toString();
  }

  /**
   * A connection pool over the H2 file at {@code base} (see {@link #url}), of at most {@code
   * connections}. Closing it closes every connection.
   */
  public static Pool pool(Path base, int connections, String... settings) {
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(url(base, settings));
    config.setUsername("keyprov");
    config.setPassword("");
    config.setMaximumPoolSize(connections);
    config.setPoolName("keyprov");
    return new Pool(new HikariDataSource(config));
  }

  /** A pooled data source that is closed with the pool. */
  public static final class Pool implements AutoCloseable {
    private final HikariDataSource dataSource;

    private Pool(HikariDataSource dataSource) {
      this.dataSource = dataSource;
    }

    public DataSource dataSource() {
      return dataSource;
    }

    @Override
    public void close() {
      dataSource.close();
    }
  }
}
