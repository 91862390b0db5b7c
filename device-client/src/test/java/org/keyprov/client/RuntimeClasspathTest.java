package org.keyprov.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.File;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The device library is what goes into firmware: it ships no database, pool, migrations or card
 * simulator. Its test classpath holds its runtime classpath, so what is absent here is absent
 * there.
 */
class RuntimeClasspathTest {
  @ParameterizedTest
  @ValueSource(
      strings = {
        "org.h2.Driver",
        "com.zaxxer.hikari.HikariDataSource",
        "org.flywaydb.core.Flyway",
        "com.licel.jcardsim.base.Simulator",
        "org.keyprov.keys.store.JdbcKeyManager"
      })
  void a_server_side_class_is_not_loadable(String name) {
    assertThatThrownBy(() -> Class.forName(name, false, getClass().getClassLoader()))
        .isInstanceOf(ClassNotFoundException.class);
  }

  @Test
  void no_jdbc_driver_pool_migrations_or_simulator_jar_is_on_the_classpath() throws Exception {
    // a jar from the local repository, or a module's target/classes in a reactor build
    List<String> entries =
        Arrays.asList(
            System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"))
                .split(File.pathSeparator));
    assertThat(Class.forName("org.keyprov.keys.KeyManager")).isInterface();
    assertThat(entries).anyMatch(e -> e.contains("key-manager"));
    assertThat(entries)
        .noneMatch(
            e ->
                e.contains("h2-")
                    || e.contains("HikariCP-")
                    || e.contains("flyway-")
                    || e.contains("jcardsim-")
                    || e.contains("key-manager-jdbc"));
  }
}
