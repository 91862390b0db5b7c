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

  private DataSource ds;

  @BeforeEach
  void start() {
    ds = database.create(dir);
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
  void a_running_job_whose_node_went_silent_reads_as_failed_and_a_finished_job_stays_finished()
      throws Exception {
    String id = km.imports().start("alice", "all", 3);
    String other = km.imports().start("alice", "valid", 3);
    silentFor(ImportJobs.STALE.plusSeconds(1), id, other);

    ImportJobs.Job stale = km.imports().job(id).orElseThrow();
    assertThat(stale.state()).isEqualTo("failed");
    assertThat(stale.finishedAt()).isNotNull();
    assertThat(stale.problems())
        .singleElement()
        .satisfies(
            p ->
                assertThat(p.message())
                    .contains("the server running it stopped before it finished")
                    .contains("nothing was added")
                    .contains("Upload the file again"));
    assertThat(km.imports().job(other).orElseThrow().problems().get(0).message())
        .contains("the devices of its first 0 row(s) (its last progress), and perhaps a few more");

    // its node says it is alive again: running
    km.imports().alive(List.of(id));
    assertThat(km.imports().job(id).orElseThrow().state()).isEqualTo("running");

    km.imports().finish(id, false, 3, List.of());
    km.imports().finish(id, true, 0, List.of(new ImportJobs.Problem(0, "the server stopped")));
    ImportJobs.Job done = km.imports().job(id).orElseThrow();
    assertThat(done.state()).as("finished once").isEqualTo("done");
    assertThat(done.imported()).isEqualTo(3);
    silentFor(ImportJobs.STALE.plusSeconds(1), id);
    assertThat(km.imports().job(id).orElseThrow().state()).isEqualTo("done");
  }

  /** Sets the jobs' last sign of life this long ago, as a node that stopped leaves it. */
  private void silentFor(java.time.Duration ago, String... ids) throws Exception {
    try (var c = ds.getConnection();
        var update = c.prepareStatement("UPDATE import_job SET heartbeat_at = ? WHERE id = ?")) {
      for (String id : ids) {
        update.setObject(
            1,
            java.time.OffsetDateTime.ofInstant(Instant.now().minus(ago), java.time.ZoneOffset.UTC));
        update.setString(2, id);
        update.executeUpdate();
      }
      if (!c.getAutoCommit()) {
        c.commit();
      }
    }
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
