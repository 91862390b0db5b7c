package org.keyprov.keys.store;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.keyprov.keys.InvalidationFeed;

/**
 * The invalidation feed over the {@code key_invalidation} table. Rows are written in the same
 * transaction as the revocation or deletion they announce, by whichever process made it (the
 * server, a {@code keyprov admin} call), so every reader of the database sees them.
 */
final class JdbcInvalidations implements InvalidationFeed {
  /** How often a waiting caller looks for new rows: the latency the feed adds. */
  private static final long POLL_MS = 200;

  private static final int BATCH = 500;

  private final Database db;
  private final Clock clock;

  JdbcInvalidations(Database db, Clock clock) {
    this.db = db;
    this.clock = clock;
  }

  /**
   * Announces, inside the caller's transaction, that a key record stopped being valid. Its id comes
   * from the feed's {@link FeedSequence}: call it before the transaction changes any other row.
   */
  static void record(
      Connection c, String btid, String endpoint, String nafFqdn, String reason, Clock clock)
      throws SQLException {
    long id = FeedSequence.take(c, FeedSequence.KEY_INVALIDATION, 1);
    Database.update(
        c,
        "INSERT INTO key_invalidation(id, btid, endpoint, naf_fqdn, reason, at)"
            + " VALUES (?, ?, ?, ?, ?, ?)",
        id,
        btid,
        endpoint,
        nafFqdn,
        reason,
        clock.instant());
  }

  /**
   * Announces every still-valid key record of the device (before it is deleted), inside the
   * caller's transaction.
   */
  static void recordDevice(Connection c, long deviceId, String endpoint, String reason, Clock clock)
      throws SQLException {
    List<String[]> keys =
        Database.query(
            c,
            "SELECT k.btid, e.naf_fqdn FROM key_record k JOIN enabler e ON e.id = k.enabler_id"
                + " WHERE k.device_id = ? AND k.state <> 'REVOKED' AND k.expires_at > ?",
            rs -> new String[] {rs.getString(1), rs.getString(2)},
            deviceId,
            clock.instant());
    for (String[] key : keys) {
      record(c, key[0], endpoint, key[1], reason, clock);
    }
    // for the DM server: the device itself is gone (no B-TID, no Enabler)
    record(c, "", endpoint, "", reason, clock);
  }

  @Override
  public Batch next(long after, String nafFqdn, Duration wait) throws InterruptedException {
    if (after == NOW) {
      long latest =
          db.inTransaction(
              "reading the invalidation cursor",
              c ->
                  Database.queryOne(
                          c,
                          "SELECT COALESCE(MAX(id), 0) FROM key_invalidation",
                          rs -> rs.getLong(1))
                      .orElse(0L));
      return new Batch(latest, List.of());
    }
    long deadline = System.nanoTime() + wait.toNanos();
    String fqdn = nafFqdn == null ? null : JdbcCredentialAdmin.normalise(nafFqdn);
    String sql =
        "SELECT id, btid, endpoint, naf_fqdn, reason FROM key_invalidation WHERE id > ?"
            + (fqdn == null ? "" : " AND naf_fqdn = ?")
            + " ORDER BY id LIMIT "
            + BATCH;
    Object[] args = fqdn == null ? new Object[] {after} : new Object[] {after, fqdn};
    while (true) {
      List<Row> rows =
          db.inTransaction(
              "reading invalidations",
              c ->
                  Database.query(
                      c,
                      sql,
                      rs ->
                          new Row(
                              rs.getLong(1),
                              new Invalidation(
                                  rs.getString(2),
                                  rs.getString(3),
                                  rs.getString(4),
                                  rs.getString(5))),
                      args));
      if (!rows.isEmpty()) {
        return new Batch(
            rows.get(rows.size() - 1).id(), rows.stream().map(Row::invalidation).toList());
      }
      long leftMs = (deadline - System.nanoTime()) / 1_000_000;
      if (leftMs <= 0) {
        return new Batch(after, List.of());
      }
      Thread.sleep(Math.min(POLL_MS, leftMs));
    }
  }

  private record Row(long id, Invalidation invalidation) {}
}
