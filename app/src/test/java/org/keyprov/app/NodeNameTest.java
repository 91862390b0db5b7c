package org.keyprov.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NodeNameTest {
  @TempDir Path dir;

  @Test
  void flag_then_environment_then_file_then_host_and_port() throws Exception {
    assertThat(NodeName.resolve(dir, null, Map.of(), 5684)).endsWith("-5684");
    Files.writeString(dir.resolve(SettingsFile.NAME), "node.name=from-file\n");
    assertThat(NodeName.resolve(dir, null, Map.of(), 5684)).isEqualTo("from-file");
    Map<String, String> env = Map.of(NodeName.ENV, "from-env");
    assertThat(NodeName.resolve(dir, null, env, 5684)).isEqualTo("from-env");
    assertThat(NodeName.resolve(dir, "node-a", env, 5684)).isEqualTo("node-a");
  }

  @Test
  void a_name_redis_keys_and_logs_could_not_carry_is_refused_saying_what_is_accepted() {
    assertThatThrownBy(() -> NodeName.resolve(dir, "node a", Map.of(), 5684))
        .isInstanceOf(UsageException.class)
        .hasMessageContaining("node name 'node a'")
        .hasMessageContaining("letters, digits");
    assertThatThrownBy(() -> NodeName.resolve(dir, "-x", Map.of(), 5684))
        .isInstanceOf(UsageException.class);
  }
}
