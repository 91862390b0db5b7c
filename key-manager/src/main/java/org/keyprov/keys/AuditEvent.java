package org.keyprov.keys;

import java.time.Instant;

/** One line of the append-only audit log. Never carries key bytes. */
public record AuditEvent(
    long id, Instant at, String actor, String action, String subject, String detail) {}
