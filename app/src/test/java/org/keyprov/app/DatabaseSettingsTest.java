package org.keyprov.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatabaseSettingsTest {
  @TempDir Path dir;

  @Test
  void no_url_anywhere_means_the_h2_file() throws Exception {
    assertThat(DatabaseSettings.resolve(dir, null, Map.of())).isEmpty();
  }

  @Test
  void the_flag_beats_the_environment_which_beats_the_file() throws Exception {
    Path file = dir.resolve(DatabaseSettings.FILE);
    Files.writeString(
        file, "db.url=jdbc:postgresql://file/db\ndb.user=fileuser\ndb.password=filepw\n");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));

    assertThat(DatabaseSettings.resolve(dir, null, Map.of()))
        .contains(new DatabaseSettings("jdbc:postgresql://file/db", "fileuser", "filepw"));
    Map<String, String> env =
        Map.of(
            DatabaseSettings.URL_ENV, "jdbc:postgresql://env/db",
            DatabaseSettings.USER_ENV, "envuser",
            DatabaseSettings.PASSWORD_ENV, "envpw");
    assertThat(DatabaseSettings.resolve(dir, null, env))
        .contains(new DatabaseSettings("jdbc:postgresql://env/db", "envuser", "envpw"));
    assertThat(DatabaseSettings.resolve(dir, "jdbc:postgresql://flag/db", env))
        .contains(new DatabaseSettings("jdbc:postgresql://flag/db", "envuser", "envpw"));
  }

  @Test
  void the_password_never_shows_in_to_string() {
    assertThat(new DatabaseSettings("jdbc:postgresql://h/db", "u", "hunter2").toString())
        .doesNotContain("hunter2")
        .contains("password set");
  }

  @Test
  void an_h2_url_says_h2_is_the_default() {
    assertThatThrownBy(() -> DatabaseSettings.resolve(dir, "jdbc:h2:mem:x", Map.of()))
        .hasMessageContaining("leave --db-url out");
    assertThatThrownBy(() -> DatabaseSettings.resolve(dir, "jdbc:postgresql://", Map.of()))
        .hasMessageContaining("jdbc:postgresql://HOST[:PORT]/DATABASE");
  }
}
