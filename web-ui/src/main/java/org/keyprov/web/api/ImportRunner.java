package org.keyprov.web.api;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import org.keyprov.keys.ImportJobs;
import org.keyprov.keys.KeyManager;
import org.keyprov.keys.KeyManagerException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs device imports as jobs ({@link ImportJobs}), one after another on a thread of their own: the
 * upload is parsed and the job stored before the answer, the work goes on after it and records its
 * progress at most every {@value #PROGRESS_MS} ms, so any node can show how far it has come. A job
 * cut short (the server stopping) changed nothing in {@code all} mode: its transaction never
 * committed.
 */
final class ImportRunner implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ImportRunner.class);
  private static final long PROGRESS_MS = 250;
  private static final Duration KEPT = Duration.ofDays(1);

  private final KeyManager km;
  private final ExecutorService worker =
      Executors.newSingleThreadExecutor(
          r -> {
            Thread t = new Thread(r, "keyprov-import");
            t.setDaemon(true);
            return t;
          });

  ImportRunner(KeyManager km) {
    this.km = km;
  }

  /** Starts importing {@code csv}; returns the job's id. */
  String submit(String csv, boolean all, String actor) {
    CsvImport.Parsed parsed = CsvImport.parse(csv);
    km.imports().pruneBefore(java.time.Instant.now().minus(KEPT));
    String id = km.imports().start(actor, all ? "all" : "valid", parsed.rows().size());
    try {
      worker.execute(() -> run(id, parsed, all, actor));
    } catch (RejectedExecutionException e) {
      km.imports()
          .finish(id, true, 0, List.of(new ImportJobs.Problem(0, "the server is stopping")));
    }
    return id;
  }

  private void run(String id, CsvImport.Parsed parsed, boolean all, String actor) {
    long[] told = {System.nanoTime()};
    try {
      DeviceImport.Result result =
          DeviceImport.run(
              km.admin(),
              parsed,
              all,
              actor,
              done -> {
                long now = System.nanoTime();
                if (now - told[0] >= PROGRESS_MS * 1_000_000) {
                  told[0] = now;
                  km.imports().progress(id, done);
                }
              });
      km.imports()
          .finish(
              id,
              false,
              result.imported(),
              result.problems().stream()
                  .map(p -> new ImportJobs.Problem(p.line(), p.message()))
                  .toList());
      LOG.info(
          "import {} by {}: {} device(s) added, {} problem(s)",
          id,
          actor,
          result.imported(),
          result.problems().size());
    } catch (KeyManagerException | IllegalArgumentException e) {
      LOG.warn("import {} by {} stopped: {}", id, actor, e.getMessage());
      try {
        km.imports()
            .finish(
                id,
                true,
                0,
                List.of(new ImportJobs.Problem(0, "the import stopped: " + e.getMessage())));
      } catch (KeyManagerException again) {
        LOG.warn("import {}: its end not recorded: {}", id, again.getMessage());
      }
    }
  }

  @Override
  public void close() {
    worker.shutdownNow();
  }
}
