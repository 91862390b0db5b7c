package org.keyprov.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RedisSettingsTest {
  @TempDir Path dir;

  @Test
  void no_url_anywhere_means_no_redis() throws Exception {
    assertThat(RedisSettings.resolve(dir, null, Map.of())).isEmpty();
  }

  @Test
  void the_flag_beats_the_environment_which_beats_the_file() throws Exception {
    Path file = dir.resolve(SettingsFile.NAME);
    Files.writeString(file, "redis.url=redis://file:6379\nredis.password=filepw\n");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));

    assertThat(RedisSettings.resolve(dir, null, Map.of()))
        .contains(new RedisSettings(URI.create("redis://file:6379"), "filepw"));
    Map<String, String> env =
        Map.of(
            RedisSettings.URL_ENV, "redis://env:6380/2",
            RedisSettings.PASSWORD_ENV, "envpw");
    assertThat(RedisSettings.resolve(dir, null, env))
        .contains(new RedisSettings(URI.create("redis://env:6380/2"), "envpw"));
    assertThat(RedisSettings.resolve(dir, "redis://flag", env))
        .contains(new RedisSettings(URI.create("redis://flag"), "envpw"));
  }

  @Test
  void a_password_in_the_url_is_refused_without_repeating_it() {
    assertThatThrownBy(() -> RedisSettings.resolve(dir, "redis://:hunter2@h:6379", Map.of()))
        .hasMessageContaining("holds a user or password")
        .hasMessageContaining(RedisSettings.PASSWORD_ENV)
        .hasMessageNotContaining("hunter2");
    assertThatThrownBy(() -> RedisSettings.resolve(dir, "http://u:hunter2@h", Map.of()))
        .as("a URL that is not Redis either")
        .hasMessageContaining("holds a user or password")
        .hasMessageNotContaining("hunter2");
    assertThatThrownBy(() -> RedisSettings.resolve(dir, "redis://h:port", Map.of()))
        .hasMessageContaining("give redis://HOST[:PORT][/DATABASE]");
  }

  @Test
  void a_settings_file_with_the_redis_password_must_be_private() throws Exception {
    Path file = dir.resolve(SettingsFile.NAME);
    Files.writeString(file, "redis.url=redis://h\nredis.password=x\n");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
    assertThatThrownBy(() -> RedisSettings.resolve(dir, null, Map.of()))
        .hasMessageContaining("readable by others")
        .hasMessageContaining("chmod 600");
  }

  @Test
  void the_password_never_shows_in_to_string() {
    assertThat(new RedisSettings(URI.create("redis://h"), "hunter2").toString())
        .doesNotContain("hunter2")
        .contains("password set");
  }
}
