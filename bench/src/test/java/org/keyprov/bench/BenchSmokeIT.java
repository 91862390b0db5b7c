package org.keyprov.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Collection;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import picocli.CommandLine;

/**
 * Seconds-long runs of every benchmark, to prove they work; not measurements (see BENCHMARKS.md for
 * those).
 */
class BenchSmokeIT {
  @TempDir Path dir;

  private static String run(String... args) {
    java.io.StringWriter captured = new java.io.StringWriter();
    CommandLine cli = new CommandLine(new Bench());
    cli.setOut(new java.io.PrintWriter(captured, true));
    int code = cli.execute(args);
    assertThat(code).as(captured.toString()).isZero();
    return captured.toString();
  }

  @Test
  void handshake_benchmark_measures_keyed_and_static_over_dtls_and_tls() {
    String out =
        run(
            "handshakes",
            "--store",
            dir.resolve("store").toString(),
            "--devices",
            "50",
            "--sample",
            "20",
            "--runs",
            "1",
            "--seconds",
            "2",
            "--clients",
            "2",
            "--modes",
            "static,keyed");
    for (String proto : new String[] {"dtls", "tls"}) {
      Matcher m =
          Pattern.compile(
                  proto + " run 1 keyed +([0-9.]+) handshakes/s +\\((\\d+) ok, (\\d+) errors")
              .matcher(out);
      assertThat(m.find()).as(out).isTrue();
      assertThat(Double.parseDouble(m.group(1))).isPositive();
      assertThat(m.group(3)).isEqualTo("0");
    }
    assertThat(out).contains("keyed          ratio to static");
  }

  @Test
  void handshake_benchmark_compares_tls13_with_bare_bouncy_castle() {
    String out =
        run(
            "handshakes",
            "--store",
            dir.resolve("store13").toString(),
            "--devices",
            "50",
            "--sample",
            "20",
            "--runs",
            "1",
            "--seconds",
            "2",
            "--warmup",
            "1",
            "--clients",
            "2",
            "--modes",
            "bare,static",
            "--protos",
            "tls13");
    for (String mode : new String[] {"bare", "static"}) {
      Matcher m =
          Pattern.compile(
                  "tls13 run 1 "
                      + mode
                      + " +([0-9.]+) handshakes/s +\\((\\d+) ok, (\\d+) errors.*server CPU (\\d+)"
                      + " .s/handshake, (\\d+) of it JIT and GC")
              .matcher(out);
      assertThat(m.find()).as(out).isTrue();
      assertThat(Double.parseDouble(m.group(1))).isPositive();
      assertThat(m.group(3)).isEqualTo("0");
      assertThat(Long.parseLong(m.group(4))).as("CPU per handshake, measured window").isPositive();
      assertThat(Long.parseLong(m.group(5)))
          .as("the JIT's and GC's share")
          .isBetween(0L, Long.parseLong(m.group(4)));
    }
    assertThat(out)
        .contains("static         CPU/handshake ratio to bare")
        .contains("static         the same without the JIT's and GC's CPU");
  }

  @Test
  void provisioning_benchmark_provisions_every_device_in_both_modes() {
    String out = run("provisioning", "--devices", "3", "--warmup-devices", "2", "--runs", "1");
    assertThat(out)
        .contains("run 1 bare     3/3 provisioned")
        .contains("run 1 keyprov  3/3 provisioned")
        .containsPattern(
            "CPU per device: server [0-9.]+ ms \\([0-9.]+ of it JIT and GC\\), clients [0-9.]+ ms")
        .contains("without the JIT's and GC's");
    assertThat(out).contains("keyprov / bare ratio");
  }

  @Test
  void provisioning_benchmark_runs_clients_on_shared_threads_and_prints_the_server_histogram() {
    String out =
        run(
            "provisioning",
            "--devices",
            "3",
            "--runs",
            "1",
            "--modes",
            "keyprov",
            "--shared-threads",
            "--histogram");
    assertThat(out)
        .contains("run 1 keyprov  3/3 provisioned")
        .contains("server heap histogram (keyprov)")
        .contains("#instances");
  }

  @Test
  void soak_runs_a_fleet_through_rotations_a_key_manager_kill_an_enabler_restart_and_revocations() {
    String out =
        run(
            "soak",
            "--dir",
            dir.resolve("soak").toString(),
            "--devices",
            "20",
            "--duration",
            "PT1M",
            "--key-lifetime",
            "PT20S",
            "--interval",
            "PT3S");
    assertThat(out)
        .contains("kill -9 of the Key Manager")
        .contains("restart of the Enabler")
        .contains("revoked 10 keys")
        .contains("RESULT devices that connected: 20 of 20");
    Matcher rotations =
        Pattern.compile("rotations per device \\(min / median / max\\): (\\d+) /").matcher(out);
    assertThat(rotations.find()).as(out).isTrue();
    assertThat(Integer.parseInt(rotations.group(1))).as(out).isGreaterThanOrEqualTo(1);
    Matcher revoked =
        Pattern.compile("longest time a revoked key still worked: (\\d+) ms").matcher(out);
    assertThat(revoked.find()).as(out).isTrue();
    assertThat(Long.parseLong(revoked.group(1))).as(out).isLessThanOrEqualTo(2000);
  }

  @Test
  void failover_kills_one_of_two_nodes_and_every_device_comes_back_provisioned_once() {
    String out =
        run(
            "failover",
            "--dir",
            dir.resolve("failover").toString(),
            "--devices",
            "20",
            "--lifetime",
            "PT10S",
            "--timeout",
            "PT2M");
    assertThat(out)
        .contains("kill -9 of node A")
        .contains("RESULT devices provisioned: 20 of 20")
        .contains("RESULT devices holding more than one instance for the Enabler: 0")
        .contains("RESULT key records: 20, key.minted audit rows: 20")
        .contains("(0 after every device was back)")
        .contains("RESULT every device provisioned and heard by a live node");
  }

  @Test
  void scale_provisions_the_fleet_through_h2_postgresql_and_two_nodes_with_redis() {
    String out =
        run(
            "scale",
            "--dir",
            dir.resolve("scale").toString(),
            "--devices",
            "10",
            "--warmup",
            "2",
            "--runs",
            "1");
    assertThat(out)
        .containsPattern(
            "run 1 1 node, H2 +[0-9.]+ provisioned/s +[0-9.]+ handshakes/s \\(0 failed\\)")
        .containsPattern("run 1 1 node, PostgreSQL .* \\(0 failed\\)")
        .containsPattern(
            "run 1 2 nodes, PostgreSQL \\+ Redis .* \\(0 failed\\) .*\\[[0-9.]+, [0-9.]+\\]")
        .contains("provisioned/s vs H2");
  }

  @Test
  void lookup_benchmark_runs_under_jmh() throws Exception {
    System.setProperty("keyprov.bench.stores", dir.resolve("stores").toString());
    Collection<RunResult> results =
        new Runner(
                new OptionsBuilder()
                    .include(LookupBenchmark.class.getName())
                    .param("devices", "1000")
                    .forks(0)
                    .warmupIterations(0)
                    .measurementIterations(1)
                    .measurementTime(TimeValue.milliseconds(300))
                    .build())
            .run();
    assertThat(results)
        .extracting(r -> r.getParams().getBenchmark().replaceAll(".*\\.", ""))
        .containsExactlyInAnyOrder(
            "lookupAndDerive", "devicePage", "devicePageQueryPerRow", "kdfAlone");
    assertThat(results).allSatisfy(r -> assertThat(r.getPrimaryResult().getScore()).isPositive());
  }
}
