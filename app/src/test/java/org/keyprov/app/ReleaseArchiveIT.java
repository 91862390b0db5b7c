package org.keyprov.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The release archive {@code mvn package} makes runs where nothing but a Java runtime is: unpacked
 * into an empty directory, {@code bin/keyprov demo} succeeds with a PATH holding only the JRE and
 * the shell's tools and a home without {@code ~/.m2}, and writes nothing there.
 */
class ReleaseArchiveIT {
  @TempDir Path dir;

  @Test
  void the_unpacked_archive_runs_the_demo_with_a_jre_alone() throws Exception {
    Path archive;
    try (Stream<Path> built = Files.list(Path.of("target"))) {
      archive =
          built
              .filter(p -> p.getFileName().toString().matches("keyprov-.+\\.tar\\.gz"))
              .findFirst()
              .orElseThrow(
                  () -> new AssertionError("no keyprov-*.tar.gz in target/: mvn package makes it"));
    }
    Path unpacked = dir.resolve("opt");
    Files.createDirectories(unpacked);
    assertThat(
            new ProcessBuilder(
                    "tar", "xzf", archive.toAbsolutePath().toString(), "-C", unpacked.toString())
                .inheritIO()
                .start()
                .waitFor())
        .isZero();
    Path release;
    try (Stream<Path> top = Files.list(unpacked)) {
      release = top.findFirst().orElseThrow();
    }
    assertThat(release.resolve("bin/keyprov")).isExecutable();
    assertThat(release.resolve("lib/keyprov.jar")).exists();
    assertThat(release.resolve("conf/keyprov.properties")).exists();
    assertThat(release.resolve("deploy/systemd/keyprov-server.service")).exists();
    // man pages and bash completion, generated from the commands at build time
    assertThat(Files.readString(release.resolve("share/man/man1/keyprov-server.1")))
        .startsWith(".TH \"KEYPROV-SERVER\" \"1\"")
        .contains("--bootstrap-port");
    assertThat(release.resolve("share/man/man1/keyprov-admin-add-device.1")).exists();
    Path completion = release.resolve("share/bash-completion/completions/keyprov");
    Process complete =
        new ProcessBuilder("bash", "-c", "source '" + completion + "' && complete -p keyprov")
            .redirectErrorStream(true)
            .start();
    String registered = new String(complete.getInputStream().readAllBytes());
    assertThat(complete.waitFor()).as(registered).isZero();
    assertThat(registered).contains("keyprov");

    Path home = dir.resolve("home");
    Files.createDirectories(home);
    Path java = Path.of(System.getProperty("java.home"), "bin");
    ProcessBuilder demo =
        new ProcessBuilder(
                release.resolve("bin/keyprov").toString(),
                "demo",
                "--devices",
                "3",
                "--data-dir",
                dir.resolve("data").toString())
            .directory(dir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("demo.out").toFile());
    Map<String, String> env = demo.environment();
    env.clear();
    env.put("PATH", java + ":/usr/bin:/bin");
    env.put("HOME", home.toString());
    Process run = demo.start();
    assertThat(run.waitFor(120, TimeUnit.SECONDS)).isTrue();
    String out = Files.readString(dir.resolve("demo.out"));
    assertThat(run.exitValue()).as(out).isZero();
    assertThat(out).contains("demo succeeded: 3/3");
    try (Stream<Path> left = Files.list(home)) {
      assertThat(left.map(p -> p.getFileName().toString()).toList())
          .as("nothing written to the home directory (no ~/.m2)")
          .isEqualTo(List.of());
    }
  }
}
