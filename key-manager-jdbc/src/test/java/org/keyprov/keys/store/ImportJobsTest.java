package org.keyprov.keys.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;
import org.keyprov.keys.ImportJobs;
import org.keyprov.keys.KeyManager;
import org.keyprov.keys.KeyManagerException;
import org.keyprov.keys.NewDevice;
import org.keyprov.keys.store.testing.TestDatabase;
import org.keyprov.keys.store.testing.TestKeyManagers;

/** Import jobs as stored, and many devices added with their assignments in one transaction. */
@ParameterizedClass
@EnumSource(TestDatabase.class)
class ImportJobsTest {
  @Parameter TestDatabase database;
  @TempDir Path dir;
  private KeyManager km;

  @BeforeEach
  void start() {
    DataSource ds = database.create(dir);
    km = TestKeyManagers.started(ds);
  }

  @Test
  void a_job_keeps_its_progress_and_problems_for_any_reader_until_pruned() {
    String id = km.imports().start("alice", "all", 3);
    assertThat(km.imports().job(id).orElseThrow())
        .extracting(ImportJobs.Job::state, ImportJobs.Job::rows, ImportJobs.Job::done)
        .containsExactly("running", 3, 0);
    km.imports().progress(id, 2);
    assertThat(km.imports().job(id).orElseThrow().done()).isEqualTo(2);

    km.imports()
        .finish(
            id,
            false,
            0,
            List.of(
                new ImportJobs.Problem(2, "dm_psk_hex\tis not\nhex"),
                new ImportJobs.Problem(0, "x".repeat(900))));
    ImportJobs.Job done = km.imports().job(id).orElseThrow();
    assertThat(done.state()).isEqualTo("done");
    assertThat(done.done()).isEqualTo(3);
    assertThat(done.finishedAt()).isNotNull();
    assertThat(done.problems()).extracting(ImportJobs.Problem::line).containsExactly(2, 0);
    assertThat(done.problems().get(0).message()).isEqualTo("dm_psk_hex is not hex");
    assertThat(done.problems().get(1).message()).hasSize(500).endsWith("…");

    assertThat(km.imports().pruneBefore(Instant.now().plusSeconds(1))).isEqualTo(1);
    assertThat(km.imports().job(id)).isEmpty();
  }

  @Test
  void at_most_a_thousand_problems_are_kept_and_all_are_counted() {
    String id = km.imports().start("alice", "valid", 1500);
    List<ImportJobs.Problem> problems = new ArrayList<>();
    for (int i = 1; i <= 1500; i++) {
      problems.add(new ImportJobs.Problem(i, "bad"));
    }
    km.imports().finish(id, false, 0, problems);
    ImportJobs.Job job = km.imports().job(id).orElseThrow();
    assertThat(job.problemCount()).isEqualTo(1500);
    assertThat(job.problems()).hasSize(ImportJobs.MAX_PROBLEMS);
  }

  @Test
  void devices_and_their_assignments_are_added_together_or_not_at_all() {
    km.admin().putEnabler(TestKeyManagers.enabler("a.enabler.test", 5684), "test");
    byte[] psk = "0123456789abcdef".getBytes();
    List<NewDevice> devices = new ArrayList<>();
    for (int i = 0; i < 1200; i++) {
      devices.add(new NewDevice("d-" + i, "d-" + i, psk));
    }
    List<Integer> heard = new ArrayList<>();

    assertThatThrownBy(
            () ->
                km.admin()
                    .addDevices(
                        devices,
                        Map.of("d-0", List.of("a.enabler.test"), "d-1199", List.of("gone.test")),
                        "test",
                        heard::add))
        .isInstanceOf(KeyManagerException.class)
        .hasMessageContaining("gone.test");
    assertThat(km.admin().counts()).containsEntry("devices", 0L);

    heard.clear();
    km.admin()
        .addDevices(
            devices,
            Map.of("d-0", List.of("a.enabler.test", "A.Enabler.Test"), "d-1199", List.of()),
            "test",
            heard::add);
    assertThat(km.admin().counts()).containsEntry("devices", 1200L);
    assertThat(km.ledger().assignments("d-0")).hasSize(1);
    assertThat(km.ledger().assignments("d-1")).isEmpty();
    assertThat(heard).as("told as batches are stored").containsExactly(500, 1000, 1200);
  }
}
