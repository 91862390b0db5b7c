package org.keyprov.app;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

/**
 * Where the Redis that several {@code keyprov server} nodes share is: {@code --redis-url}, {@value
 * #URL_ENV} or {@code redis.url} in the data directory's {@value SettingsFile#NAME} (in that
 * order), its password from {@value #PASSWORD_ENV} or {@code redis.password} in that file, never
 * from a flag or the URL.
 */
record RedisSettings(URI url, String password) {
  static final String URL_ENV = "KEYPROV_REDIS_URL";
  static final String PASSWORD_ENV = "KEYPROV_REDIS_PASSWORD";

  /** The settings, or empty where no Redis is configured. */
  static Optional<RedisSettings> resolve(Path dataDir, String urlFlag, Map<String, String> env)
      throws IOException {
    Path path = SettingsFile.at(dataDir);
    Properties file = SettingsFile.read(path);
    String url = DatabaseSettings.first(urlFlag, env.get(URL_ENV), file.getProperty("redis.url"));
    if (url == null) {
      return Optional.empty();
    }
    // before anything echoes the URL: a password in it must not reach the answer
    if (url.contains("@")) {
      throw new UsageException(
          "the Redis URL holds a user or password, which shell history and ps would show: remove"
              + " it and set "
              + PASSWORD_ENV
              + " or redis.password in "
              + path);
    }
    URI parsed;
    try {
      parsed = new URI(url);
    } catch (URISyntaxException e) {
      parsed = null;
    }
    if (parsed == null
        || !("redis".equals(parsed.getScheme()) || "rediss".equals(parsed.getScheme()))
        || parsed.getHost() == null) {
      throw new UsageException(
          "'" + url + "' is not a Redis URL: give redis://HOST[:PORT][/DATABASE]");
    }
    return Optional.of(
        new RedisSettings(
            parsed,
            DatabaseSettings.first(env.get(PASSWORD_ENV), file.getProperty("redis.password"))));
  }

  @Override
  public String toString() {
    return "RedisSettings[" + url + (password == null ? "" : ", password set") + "]";
  }
}
