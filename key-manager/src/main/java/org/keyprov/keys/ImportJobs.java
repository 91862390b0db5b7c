package org.keyprov.keys;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Device imports run as jobs: stored so that any node answers how far one has come, and what it
 * found, while the node that took the upload does the work. Kept for a limited time only ({@link
 * #pruneBefore}). Holds no key material: a problem names a line and what is wrong with it, never a
 * key. Thread-safe.
 */
public interface ImportJobs {
  /** What is wrong with a line (0 for the file as a whole). */
  record Problem(int line, String message) {}

  /**
   * A job as stored: {@code state} is {@code running}, {@code done} or {@code failed}; {@code rows}
   * the rows the file has, {@code done} how many of them have been worked through, {@code imported}
   * how many devices were added. At most {@link #MAX_PROBLEMS} problems are kept, {@code
   * problemCount} says how many there were.
   */
  record Job(
      String id,
      String actor,
      String mode,
      String state,
      int rows,
      int done,
      int imported,
      int problemCount,
      List<Problem> problems,
      Instant startedAt,
      Instant finishedAt) {
    public Job {
      problems = List.copyOf(problems);
    }
  }

  int MAX_PROBLEMS = 1000;

  /**
   * A running job whose node has not said it is alive ({@link #alive}) for this long reads as
   * failed: that node stopped without finishing it.
   */
  java.time.Duration STALE = java.time.Duration.ofSeconds(60);

  /** Stores a new running job of {@code actor}'s and returns its id. */
  String start(String actor, String mode, int rows);

  /** How many rows job {@code id} has worked through; also says its node is alive. */
  void progress(String id, int done);

  /** The node running or queueing these jobs is alive (every few seconds, well within STALE). */
  void alive(java.util.Collection<String> ids);

  /**
   * Job {@code id} finished: {@code done}, or {@code failed} (problems say why). A job finishes
   * once: finishing it again changes nothing.
   */
  void finish(String id, boolean failed, int imported, List<Problem> problems);

  /**
   * The job as stored; a running one whose node stopped (no sign of it for {@link #STALE}) as
   * failed, with a problem that says so.
   */
  Optional<Job> job(String id);

  /** Deletes jobs started before {@code cutoff}; returns how many. */
  int pruneBefore(Instant cutoff);
}
