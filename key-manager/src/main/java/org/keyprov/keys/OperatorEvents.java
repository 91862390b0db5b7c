package org.keyprov.keys;

import java.time.Instant;
import java.util.List;

/**
 * What the operator console shows live — provisioning outcomes, connection results — stored in
 * order so that every node's event stream shows every node's events and a browser that reconnects
 * resumes where it left off. Kept for a limited time only ({@link #pruneBefore}). Thread-safe.
 */
public interface OperatorEvents {
  /** One event; {@code detail} is cut to 1,024 characters. Never carries key material. */
  record Event(String type, String endpoint, String enabler, String detail) {}

  /** An event with its place in the feed. */
  record Numbered(long id, Event event) {}

  /** Stores the events, in this order, in one transaction. */
  void append(List<Event> events);

  /** Up to {@code max} events after {@code id}, oldest first. */
  List<Numbered> after(long id, int max);

  /** The id of the newest event, 0 if none. */
  long latest();

  /** Deletes events stored before {@code cutoff}; returns how many. */
  int pruneBefore(Instant cutoff);
}
