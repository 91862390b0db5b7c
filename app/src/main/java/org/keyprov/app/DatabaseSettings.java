package org.keyprov.app;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

/**
 * Where the Key Manager's database is when it is not the H2 file in the data directory: a
 * PostgreSQL URL from {@code --db-url}, {@value #URL_ENV} or {@code db.url} in the data directory's
 * {@value #FILE} (in that order), with user and password from {@value #USER_ENV} / {@value
 * #PASSWORD_ENV} or {@code db.user} / {@code db.password} in that file — never from a flag, which
 * shell history and {@code ps} would show. Without a password the PostgreSQL driver reads {@code
 * ~/.pgpass}.
 */
record DatabaseSettings(String url, String user, String password) {
  static final String URL_ENV = "KEYPROV_DB_URL";
  static final String USER_ENV = "KEYPROV_DB_USER";
  static final String PASSWORD_ENV = "KEYPROV_DB_PASSWORD";
  static final String FILE = SettingsFile.NAME;
  private static final String POSTGRESQL = "jdbc:postgresql://";

  /** The settings, or empty for the H2 file in {@code dataDir}. */
  static Optional<DatabaseSettings> resolve(Path dataDir, String urlFlag, Map<String, String> env)
      throws IOException {
    Properties file = SettingsFile.read(SettingsFile.at(dataDir));
    String url = first(urlFlag, env.get(URL_ENV), file.getProperty("db.url"));
    if (url == null) {
      return Optional.empty();
    }
    return Optional.of(
        new DatabaseSettings(
            checkedUrl(url, dataDir),
            first(env.get(USER_ENV), file.getProperty("db.user")),
            first(env.get(PASSWORD_ENV), file.getProperty("db.password"))));
  }

  private static String checkedUrl(String url, Path dataDir) {
    if (url.startsWith("jdbc:h2:")) {
      throw new UsageException(
          "the database URL "
              + url
              + " is H2: leave --db-url out and keyprov uses its H2 file in --data-dir");
    }
    if (!url.startsWith(POSTGRESQL) || url.length() == POSTGRESQL.length()) {
      throw new UsageException(
          "the database URL '"
              + url
              + "' is not a PostgreSQL JDBC URL: give jdbc:postgresql://HOST[:PORT]/DATABASE");
    }
    if (url.toLowerCase(Locale.ROOT).contains("password=")) {
      throw new UsageException(
          "the database URL holds a password, which shell history and ps would show: remove it"
              + " and set "
              + PASSWORD_ENV
              + " or db.password in "
              + SettingsFile.at(dataDir));
    }
    return url;
  }

  static String first(String... values) {
    for (String v : values) {
      if (v != null && !v.isBlank()) {
        return v.trim();
      }
    }
    return null;
  }

  @Override
  public String toString() {
    return "DatabaseSettings["
        + url
        + ", user "
        + user
        + (password == null ? "" : ", password set")
        + "]";
  }
}
