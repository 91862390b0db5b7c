package org.keyprov.web.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.keyprov.keys.ImportJobs;
import org.keyprov.keys.KeyManager;
import org.keyprov.keys.store.testing.TestKeyManagers;

/**
 * Import jobs a stopping server leaves: the running one stops at its next row, it and the queued
 * ones are recorded as failed, none is left "running".
 */
class ImportRunnerTest {
  @TempDir Path dir;
  private KeyManager km;

  @BeforeEach
  void start() {
    km = TestKeyManagers.started(dir);
  }

  @AfterEach
  void stop() {
    km.close();
  }

  @Test
  void jobs_running_or_queued_when_the_server_stops_are_recorded_as_failed() {
    ImportRunner runner = new ImportRunner(km);
    // one device per row and transaction: the first job takes seconds, the next two wait for it
    String first = runner.submit(csv("a", 3000), false, "alice");
    String second = runner.submit(csv("b", 10), false, "alice");
    String third = runner.submit(csv("c", 10), true, "alice");

    // the first is under way (its progress is written every 250 ms)
    org.awaitility.Awaitility.await()
        .atMost(java.time.Duration.ofSeconds(20))
        .until(() -> km.imports().job(first).orElseThrow().done() > 0);

    runner.close();

    ImportJobs.Job running = km.imports().job(first).orElseThrow();
    assertThat(running.state()).isEqualTo("failed");
    assertThat(running.problems())
        .singleElement()
        .satisfies(
            p ->
                assertThat(p.message())
                    .startsWith("the server stopped before the import finished, after ")
                    .contains("the devices of those rows were added"));
    assertThat(km.admin().device("a2999")).as("stopped before its last row").isEmpty();
    for (String id : new String[] {second, third}) {
      ImportJobs.Job queued = km.imports().job(id).orElseThrow();
      assertThat(queued.state()).isEqualTo("failed");
      assertThat(queued.problems())
          .singleElement()
          .satisfies(
              p ->
                  assertThat(p.message())
                      .startsWith("the server stopped before the import started"));
    }
    assertThat(km.admin().device("b0")).as("the queued jobs added nothing").isEmpty();
    assertThat(km.admin().device("c0")).isEmpty();
  }

  private static String csv(String prefix, int rows) {
    StringBuilder csv = new StringBuilder("endpoint,dm_psk_identity,dm_psk_hex,enablers\n");
    for (int i = 0; i < rows; i++) {
      csv.append(prefix).append(i).append(",,00112233445566778899aabbccddeeff,\n");
    }
    return csv.toString();
  }
}
