package org.keyprov.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CapacityFlagsTest {
  @TempDir Path dir;

  @Test
  void an_enabler_without_a_dtls_handshake_rate_is_refused_with_a_sentence() {
    Cli cli =
        Cli.run(
            "enabler",
            "--fqdn",
            "rate.enabler.test",
            "--data-dir",
            dir.toString(),
            "--dtls-handshake-rate",
            "0");
    assertThat(cli.exitCode()).as(cli.out() + cli.err()).isEqualTo(2);
    assertThat(cli.err()).contains("--dtls-handshake-rate 0: give new DTLS sessions per second");
  }

  @Test
  void a_server_without_dtls_sessions_is_refused_with_a_sentence() {
    Cli cli = Cli.run("server", "--data-dir", dir.toString(), "--dtls-sessions", "-5");
    assertThat(cli.exitCode()).as(cli.out() + cli.err()).isEqualTo(2);
    assertThat(cli.err()).contains("--dtls-sessions -5: give the number of DTLS sessions to keep");
  }
}
