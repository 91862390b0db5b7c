package org.keyprov.keys.store;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.util.List;
import org.keyprov.keys.AuditEvent;
import org.keyprov.keys.AuditLog;

final class JdbcAuditLog implements AuditLog {
  private static final int MAX_DETAIL = 2048;

  private final Database db;
  private final Clock clock;

  JdbcAuditLog(Database db, Clock clock) {
    this.db = db;
    this.clock = clock;
  }

  @Override
  public void record(String actor, String action, String subject, String detail) {
    db.inTransaction(
        "writing the audit log",
        c -> {
          append(c, actor, action, subject, detail);
          return null;
        });
  }

  /** Appends inside the caller's transaction, so a change and its audit line land together. */
  void append(Connection c, String actor, String action, String subject, String detail)
      throws SQLException {
    if (actor == null || actor.isBlank()) {
      throw new IllegalArgumentException("an audited change needs the actor who made it");
    }
    Database.update(
        c,
        "INSERT INTO audit_event(at, actor, action, subject, detail) VALUES (?, ?, ?, ?, ?)",
        clock.instant(),
        truncate(actor, 255),
        truncate(action, 64),
        truncate(subject, 1024),
        truncate(detail, MAX_DETAIL));
  }

  @Override
  public List<AuditEvent> recent(int limit) {
    return db.inTransaction(
        "reading the audit log",
        c ->
            Database.query(
                c,
                "SELECT * FROM audit_event ORDER BY id DESC LIMIT ?",
                rs ->
                    new AuditEvent(
                        rs.getLong("id"),
                        Database.instant(rs, "at"),
                        rs.getString("actor"),
                        rs.getString("action"),
                        rs.getString("subject"),
                        rs.getString("detail")),
                limit));
  }

  @Override
  public List<AuditEvent> search(
      String subject,
      String detailContains,
      String action,
      java.time.Instant since,
      Long beforeId,
      int limit) {
    StringBuilder sql = new StringBuilder("SELECT * FROM audit_event WHERE 1 = 1");
    List<Object> args = new java.util.ArrayList<>();
    if (subject != null) {
      sql.append(" AND subject = ?");
      args.add(subject);
    }
    if (detailContains != null) {
      sql.append(" AND detail LIKE ? ESCAPE '\\'");
      args.add(
          "%" + detailContains.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%");
    }
    if (action != null) {
      sql.append(" AND action = ?");
      args.add(action);
    }
    if (since != null) {
      sql.append(" AND at >= ?");
      args.add(since);
    }
    if (beforeId != null) {
      sql.append(" AND id < ?");
      args.add(beforeId);
    }
    sql.append(" ORDER BY id DESC LIMIT ?");
    args.add(Math.max(1, Math.min(limit, 100_000)));
    return db.inTransaction(
        "searching the audit log",
        c -> Database.query(c, sql.toString(), JdbcAuditLog::event, args.toArray()));
  }

  private static AuditEvent event(java.sql.ResultSet rs) throws SQLException {
    return new AuditEvent(
        rs.getLong("id"),
        Database.instant(rs, "at"),
        rs.getString("actor"),
        rs.getString("action"),
        rs.getString("subject"),
        rs.getString("detail"));
  }

  private static String truncate(String s, int max) {
    String value = s == null ? "" : s;
    return value.length() <= max ? value : value.substring(0, max - 1) + "…";
  }
}
