package org.keyprov.keys.store;

import java.time.Clock;
import java.util.List;
import org.keyprov.keys.OperatorEvents;

/** Events in {@code operator_event}, numbered by their {@link FeedSequence}. */
final class JdbcOperatorEvents implements OperatorEvents {
  private static final int MAX_DETAIL = 1024;

  private final Database db;
  private final Clock clock;

  JdbcOperatorEvents(Database db, Clock clock) {
    this.db = db;
    this.clock = clock;
  }

  @Override
  public void append(List<Event> events) {
    if (events.isEmpty()) {
      return;
    }
    db.inTransaction(
        "storing " + events.size() + " operator event(s)",
        c -> {
          long id = FeedSequence.take(c, FeedSequence.OPERATOR_EVENT, events.size());
          try (var insert =
              c.prepareStatement(
                  "INSERT INTO operator_event(id, type, endpoint, enabler, detail, at)"
                      + " VALUES (?, ?, ?, ?, ?, ?)")) {
            Object at =
                java.time.OffsetDateTime.ofInstant(clock.instant(), java.time.ZoneOffset.UTC);
            for (Event e : events) {
              insert.setLong(1, id++);
              insert.setString(2, e.type());
              insert.setString(3, e.endpoint());
              insert.setString(4, e.enabler());
              insert.setString(5, cut(e.detail()));
              insert.setObject(6, at);
              insert.addBatch();
            }
            insert.executeBatch();
          }
          return null;
        });
  }

  @Override
  public List<Numbered> after(long id, int max) {
    return db.inTransaction(
        "reading operator events",
        c ->
            Database.query(
                c,
                "SELECT id, type, endpoint, enabler, detail FROM operator_event WHERE id > ?"
                    + " ORDER BY id LIMIT "
                    + Math.max(1, max),
                rs ->
                    new Numbered(
                        rs.getLong(1),
                        new Event(
                            rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5))),
                id));
  }

  @Override
  public long latest() {
    return db.inTransaction(
        "reading the newest operator event",
        c ->
            Database.queryOne(
                    c, "SELECT COALESCE(MAX(id), 0) FROM operator_event", rs -> rs.getLong(1))
                .orElse(0L));
  }

  @Override
  public int pruneBefore(java.time.Instant cutoff) {
    return db.inTransaction(
        "pruning operator events",
        c -> Database.update(c, "DELETE FROM operator_event WHERE at < ?", cutoff));
  }

  private static String cut(String detail) {
    String d = detail == null ? "" : detail;
    return d.length() <= MAX_DETAIL ? d : d.substring(0, MAX_DETAIL - 1) + "…";
  }
}
