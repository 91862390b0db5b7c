package org.keyprov.keys.store;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * Ids for a feed's rows, from its row in {@code feed_sequence}: the row stays locked until the
 * caller's transaction ends, so a feed's ids become visible in the order they were given and a
 * reader's cursor never passes one still to come (see V9__key_invalidation_order.sql and
 * V12__operator_event.sql). Take them before the transaction changes any other row, so two writers
 * never wait for each other's rows while one of them holds the sequence.
 */
final class FeedSequence {
  static final String KEY_INVALIDATION = "key_invalidation";
  static final String OPERATOR_EVENT = "operator_event";

  private FeedSequence() {}

  /**
   * Takes {@code count} ids of {@code feed}, inside the caller's transaction; returns the first.
   */
  static long take(Connection c, String feed, int count) throws SQLException {
    Database.update(
        c, "UPDATE feed_sequence SET last_id = last_id + ? WHERE name = ?", count, feed);
    long last =
        Database.queryOne(
                c, "SELECT last_id FROM feed_sequence WHERE name = ?", rs -> rs.getLong(1), feed)
            .orElseThrow(() -> new SQLException("feed_sequence has no row for " + feed));
    return last - count + 1;
  }
}
