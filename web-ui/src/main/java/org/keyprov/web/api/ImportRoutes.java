package org.keyprov.web.api;

import org.keyprov.keys.ImportJobs;
import org.keyprov.keys.KeyManager;
import org.keyprov.web.api.Api.Access;
import org.keyprov.web.api.Views.ImportError;
import org.keyprov.web.api.Views.ImportJob;

/**
 * Device imports as jobs: {@code POST /imports} takes the whole CSV, answers 202 with the job and
 * its {@code Location} at once, and {@code GET /imports/{id}} says how far it has come and, when
 * done, what it found — from any node. {@code POST /devices/import} does the same work in the
 * request, for scripts that would rather wait.
 */
final class ImportRoutes {
  private final KeyManager km;
  private final ImportRunner runner;

  ImportRoutes(KeyManager km, ImportRunner runner) {
    this.km = km;
    this.runner = runner;
  }

  void register(Api api) {
    api.tag("devices");
    api.post("/imports", "Starts importing devices from CSV as a job (all or the valid rows)")
        .access(Access.WRITE)
        .textBody("text/csv")
        .query("mode", "string", "all (default: nothing if a row is bad) or valid")
        .answers(202, ImportJob.class)
        .run(
            (Api.Call<String> c) -> {
              boolean all = DeviceRoutes.importMode(c);
              String id = runner.submit(c.body(), all, c.actor());
              return new Reply(202, view(job(id)), "application/json", "/api/v1/imports/" + id);
            });
    api.get("/imports/{id}", "An import job: its progress, and what it found once done")
        .answers(ImportJob.class)
        .run(c -> view(job(c.path("id"))));
  }

  private ImportJobs.Job job(String id) {
    return km.imports()
        .job(id)
        .orElseThrow(
            () ->
                new ApiException(
                    404, "not_found", null, "no import job " + id + " (jobs are kept a day)"));
  }

  private static ImportJob view(ImportJobs.Job j) {
    return new ImportJob(
        j.id(),
        j.mode(),
        j.state(),
        j.rows(),
        j.done(),
        j.imported(),
        j.problemCount(),
        j.problems().stream().map(p -> new ImportError(p.line(), p.message())).toList(),
        j.actor(),
        j.startedAt(),
        j.finishedAt());
  }
}
