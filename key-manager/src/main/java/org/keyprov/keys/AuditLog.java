package org.keyprov.keys;

import java.util.List;

/** The append-only audit log: who did what to which subject, when. Thread-safe. */
public interface AuditLog {
  /** Appends an event. {@code detail} must never contain key material. */
  void record(String actor, String action, String subject, String detail);

  /** The newest events first, at most {@code limit}. */
  List<AuditEvent> recent(int limit);

  /**
   * The newest events first that match every given filter ({@code null} = any): the subject (device
   * endpoint, B-TID …) exactly, text anywhere in the detail (an Enabler's FQDN), the action
   * exactly, and events at or after {@code since}.
   */
  default List<AuditEvent> search(
      String subject, String detailContains, String action, java.time.Instant since, int limit) {
    return search(subject, detailContains, action, since, null, limit);
  }

  /**
   * As {@link #search(String, String, String, java.time.Instant, int)}, older than the event {@code
   * beforeId} when given: the next page of a listing is the events before its last id.
   */
  List<AuditEvent> search(
      String subject,
      String detailContains,
      String action,
      java.time.Instant since,
      Long beforeId,
      int limit);
}
