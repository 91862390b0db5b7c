package org.keyprov.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DemoIT {
  @TempDir Path dir;

  @Test
  void runs_every_device_through_the_flow_twice_on_the_same_data() throws Exception {
    Path data = dir.resolve("data");

    Cli first = Cli.run("demo", "--devices", "8", "--data-dir", data.toString());
    assertThat(first.exitCode()).as(first.out() + first.err()).isZero();
    assertThat(first.out()).contains("Enabler handshake OK 8/8").contains("demo succeeded: 8/8");
    assertThat(
            PosixFilePermissions.toString(
                Files.getPosixFilePermissions(data.resolve("master.key"))))
        .isEqualTo("rw-------");

    Cli second = Cli.run("demo", "--devices", "8", "--data-dir", data.toString());
    assertThat(second.exitCode()).as(second.out() + second.err()).isZero();
    assertThat(second.out()).contains("demo succeeded: 8/8");
  }

  @Test
  void with_bootstrap_devices_start_from_a_factory_credential_and_still_get_through()
      throws Exception {
    Path data = dir.resolve("data");

    Cli run = Cli.run("demo", "--bootstrap", "--devices", "6", "--data-dir", data.toString());

    assertThat(run.exitCode()).as(run.out() + run.err()).isZero();
    assertThat(run.out()).contains("bootstrap server coaps://").contains("demo succeeded: 6/6");
    // each device registered with the DM PSK the bootstrap server issued: version 2
    Cli status = Cli.run("admin", "audit", "--limit", "200", "--data-dir", data.toString());
    assertThat(status.out()).contains("device.bootstrapped").contains("device.dm_psk_rotated");
  }

  @Test
  void refuses_a_silly_device_count() {
    Cli cli = Cli.run("demo", "--devices", "0", "--data-dir", dir.toString());
    assertThat(cli.exitCode()).isEqualTo(2);
    assertThat(cli.err()).contains("--devices must be between 1 and 10000");
  }
}
