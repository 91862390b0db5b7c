package org.keyprov.web.api;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import org.keyprov.keys.ImportJobs;
import org.keyprov.keys.KeyManager;
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

  /** How often the node says its queued and running jobs are alive (well within STALE). */
  private static final long ALIVE_SECONDS = 10;

  /**
   * Set when the server stops: the running job ends at its next row (or batch of 500 in "all"
   * mode), the queued ones without starting. Not an interrupt: an interrupted thread makes H2's
   * file channel fail.
   */
  private volatile boolean stopping;

  /** How long closing waits for the running job to end. */
  private static final long CLOSE_WAIT_SECONDS = 5;

  /** The jobs this node took and has not finished: queued or running. */
  private final java.util.Set<String> unfinished =
      java.util.concurrent.ConcurrentHashMap.newKeySet();

  private final java.util.concurrent.ScheduledExecutorService heartbeat =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "keyprov-import-alive");
            t.setDaemon(true);
            return t;
          });

  ImportRunner(KeyManager km) {
    this.km = km;
    heartbeat.scheduleWithFixedDelay(
        this::tellAlive, ALIVE_SECONDS, ALIVE_SECONDS, java.util.concurrent.TimeUnit.SECONDS);
  }

  private void tellAlive() {
    try {
      km.imports().alive(List.copyOf(unfinished));
    } catch (RuntimeException e) {
      // told again in ALIVE_SECONDS; a job reads as stopped only after a minute of this
      LOG.warn("import jobs: could not tell they are alive: {}", e.getMessage());
    }
  }

  /** Starts importing {@code csv}; returns the job's id. */
  String submit(String csv, boolean all, String actor) {
    CsvImport.Parsed parsed = CsvImport.parse(csv);
    km.imports().pruneBefore(java.time.Instant.now().minus(KEPT));
    String id = km.imports().start(actor, all ? "all" : "valid", parsed.rows().size());
    unfinished.add(id);
    try {
      worker.execute(
          () -> {
            try {
              run(id, parsed, all, actor);
            } finally {
              unfinished.remove(id);
            }
          });
    } catch (RejectedExecutionException e) {
      unfinished.remove(id);
      km.imports()
          .finish(id, true, 0, List.of(new ImportJobs.Problem(0, "the server is stopping")));
    }
    return id;
  }

  private void run(String id, CsvImport.Parsed parsed, boolean all, String actor) {
    if (stopping) {
      failed(
          id,
          "the server stopped before the import started: nothing was added; upload the file"
              + " again");
      return;
    }
    long[] told = {System.nanoTime()};
    try {
      DeviceImport.Result result =
          DeviceImport.run(
              km.admin(),
              parsed,
              all,
              actor,
              done -> {
                if (stopping) {
                  // out of the import ("all": out of its transaction, which rolls back)
                  throw new Stopped(done);
                }
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
    } catch (Stopped e) {
      LOG.warn(
          "import {} by {} stopped after {} row(s): the server is stopping", id, actor, e.done);
      failed(
          id,
          "the server stopped before the import finished, after "
              + e.done
              + " row(s)"
              + (all ? "; nothing was added" : "; the devices of those rows were added")
              + ": upload the file again (a device added already is reported, not added twice)");
    } catch (RuntimeException e) {
      LOG.warn("import {} by {} stopped: {}", id, actor, e.getMessage());
      failed(id, "the import stopped: " + e.getMessage());
    }
  }

  private void failed(String id, String why) {
    try {
      km.imports().finish(id, true, 0, List.of(new ImportJobs.Problem(0, why)));
    } catch (RuntimeException again) {
      LOG.warn("import {}: its end not recorded: {}", id, again.getMessage());
    }
  }

  /** Thrown out of an import's progress when the server stops it. */
  private static final class Stopped extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final int done;

    Stopped(int done) {
      super(null, null, false, false);
      this.done = done;
    }
  }

  /**
   * Stops the running job at its next row and the queued ones before they start; each is recorded
   * as failed, so nobody waits on it ("all" mode changed nothing: its transaction rolled back).
   */
  @Override
  public void close() {
    stopping = true;
    heartbeat.shutdownNow();
    worker.shutdown();
    try {
      worker.awaitTermination(CLOSE_WAIT_SECONDS, java.util.concurrent.TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    for (String id : List.copyOf(unfinished)) {
      // still in one step (a batch of 500) after the wait: what it stored is not known here
      failed(
          id,
          "the server stopped while the import was running: see the device list for what it"
              + " added, and upload the file again (a device added already is reported, not added"
              + " twice)");
    }
  }
}
