package org.keyprov.enabler;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A remote-mode Enabler asks the Key Manager over HTTPS and holds no database: none of the Key
 * Manager's storage is on its classpath (its test classpath holds its runtime classpath).
 */
class RuntimeClasspathTest {
  @ParameterizedTest
  @ValueSource(
      strings = {
        "org.h2.Driver",
        "com.zaxxer.hikari.HikariDataSource",
        "org.flywaydb.core.Flyway",
        "org.keyprov.keys.store.JdbcKeyManager"
      })
  void a_storage_class_is_not_loadable(String name) {
    assertThatThrownBy(() -> Class.forName(name, false, getClass().getClassLoader()))
        .isInstanceOf(ClassNotFoundException.class);
  }
}
