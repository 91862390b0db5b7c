package org.keyprov.keys.store;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import org.keyprov.keys.ImportJobs;

/** Import jobs in {@code import_job}; a job's problems are "line TAB message" lines. */
final class JdbcImportJobs implements ImportJobs {
  private static final int MAX_MESSAGE = 500;

  private final Database db;
  private final Clock clock;
  private final SecureRandom random;

  JdbcImportJobs(Database db, Clock clock, SecureRandom random) {
    this.db = db;
    this.clock = clock;
    this.random = random;
  }

  @Override
  public String start(String actor, String mode, int rows) {
    byte[] raw = new byte[8];
    random.nextBytes(raw);
    String id = HexFormat.of().formatHex(raw);
    db.inTransaction(
        "starting an import job",
        c ->
            Database.update(
                c,
                "INSERT INTO import_job(id, actor, mode, state, total_rows, done_rows, imported,"
                    + " problem_count, problems, started_at, heartbeat_at) VALUES (?, ?, ?,"
                    + " 'running', ?, 0, 0, 0, '', ?, ?)",
                id,
                actor,
                mode,
                rows,
                now(),
                now()));
    return id;
  }

  @Override
  public void progress(String id, int done) {
    db.inTransaction(
        "recording an import job's progress",
        c ->
            Database.update(
                c,
                "UPDATE import_job SET done_rows = ?, heartbeat_at = ? WHERE id = ?",
                done,
                now(),
                id));
  }

  @Override
  public void alive(java.util.Collection<String> ids) {
    if (ids.isEmpty()) {
      return;
    }
    db.inTransaction(
        "telling that import jobs are alive",
        c -> {
          try (var update =
              c.prepareStatement(
                  "UPDATE import_job SET heartbeat_at = ? WHERE id = ? AND state = 'running'")) {
            Object now = now();
            for (String id : ids) {
              update.setObject(1, now);
              update.setString(2, id);
              update.addBatch();
            }
            update.executeBatch();
          }
          return null;
        });
  }

  @Override
  public void finish(String id, boolean failed, int imported, List<Problem> problems) {
    StringBuilder text = new StringBuilder();
    for (Problem p : problems.subList(0, Math.min(problems.size(), MAX_PROBLEMS))) {
      String m = p.message().replace('\t', ' ').replace('\n', ' ').replace('\r', ' ');
      text.append(p.line())
          .append('\t')
          .append(m.length() <= MAX_MESSAGE ? m : m.substring(0, MAX_MESSAGE - 1) + "…")
          .append('\n');
    }
    db.inTransaction(
        "finishing an import job",
        c ->
            Database.update(
                c,
                "UPDATE import_job SET state = ?, done_rows = total_rows, imported = ?,"
                    + " problem_count = ?, problems = ?, finished_at = ? WHERE id = ? AND state"
                    + " = 'running'",
                failed ? "failed" : "done",
                imported,
                problems.size(),
                text.toString(),
                now(),
                id));
  }

  @Override
  public Optional<Job> job(String id) {
    return db.inTransaction(
        "reading an import job",
        c ->
            Database.queryOne(
                c,
                "SELECT id, actor, mode, state, total_rows, done_rows, imported, problem_count,"
                    + " problems, started_at, finished_at, heartbeat_at FROM import_job WHERE id"
                    + " = ?",
                rs ->
                    staleAsFailed(
                        new Job(
                            rs.getString(1),
                            rs.getString(2),
                            rs.getString(3),
                            rs.getString(4),
                            rs.getInt(5),
                            rs.getInt(6),
                            rs.getInt(7),
                            rs.getInt(8),
                            problems(rs.getString(9)),
                            instant(rs.getObject(10, OffsetDateTime.class)),
                            instant(rs.getObject(11, OffsetDateTime.class))),
                        instant(rs.getObject(12, OffsetDateTime.class))),
                id));
  }

  /** A running job whose node has been silent for {@link #STALE}: it stopped, unfinished. */
  private Job staleAsFailed(Job job, Instant heartbeat) {
    Instant now = clock.instant();
    if (!"running".equals(job.state())
        || (heartbeat != null && heartbeat.plus(STALE).isAfter(now))) {
      return job;
    }
    String what =
        "all".equals(job.mode())
            ? "nothing was added (an 'all' import adds every device or none)"
            : "the devices of its first "
                + job.done()
                + " row(s) (its last progress), and perhaps a few more, were added";
    return new Job(
        job.id(),
        job.actor(),
        job.mode(),
        "failed",
        job.rows(),
        job.done(),
        0,
        1,
        List.of(
            new Problem(
                0,
                "the import stopped: the server running it stopped before it finished (no sign"
                    + " of it for "
                    + STALE.toSeconds()
                    + " s); "
                    + what
                    + ". Upload the file again: a device added already is reported, not added"
                    + " twice")),
        job.startedAt(),
        heartbeat == null ? job.startedAt() : heartbeat);
  }

  @Override
  public int pruneBefore(Instant cutoff) {
    return db.inTransaction(
        "pruning import jobs",
        c -> Database.update(c, "DELETE FROM import_job WHERE started_at < ?", cutoff));
  }

  private static List<Problem> problems(String text) {
    List<Problem> out = new ArrayList<>();
    for (String line : text.split("\n")) {
      int tab = line.indexOf('\t');
      if (tab > 0) {
        out.add(new Problem(Integer.parseInt(line.substring(0, tab)), line.substring(tab + 1)));
      }
    }
    return out;
  }

  private OffsetDateTime now() {
    return OffsetDateTime.ofInstant(clock.instant(), ZoneOffset.UTC);
  }

  private static Instant instant(OffsetDateTime t) {
    return t == null ? null : t.toInstant();
  }
}
