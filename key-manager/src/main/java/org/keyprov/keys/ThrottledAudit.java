package org.keyprov.keys;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Logs and audits events a peer can cause at will (an unknown DTLS identity, a wrong key, an
 * undeclared endpoint), at most {@code limit} rows a minute, so that a flood of bogus handshakes
 * cannot fill the audit log; what goes over is counted and audited as one summary row when the
 * minute ends. Thread-safe.
 */
public final class ThrottledAudit {
  private static final Logger LOG = LoggerFactory.getLogger(ThrottledAudit.class);
  private static final Duration WINDOW = Duration.ofMinutes(1);

  private final AuditLog audit;
  private final Clock clock;
  private final int limit;
  private final String actor;
  private final String summaryAction;
  private Instant windowStart;
  private int recorded;
  private int suppressed;

  /**
   * {@code audit}: {@code null} to log only; {@code actor}: who the rows name; {@code
   * summaryAction}: the action of the row that counts what went over the limit.
   */
  public ThrottledAudit(
      AuditLog audit, Clock clock, int limit, String actor, String summaryAction) {
    this.audit = audit;
    this.clock = Objects.requireNonNull(clock, "clock");
    this.limit = limit;
    this.actor = Objects.requireNonNull(actor, "actor");
    this.summaryAction = Objects.requireNonNull(summaryAction, "summaryAction");
    this.windowStart = clock.instant();
  }

  /** One event; {@code detail} must not carry key material. */
  public void record(String action, String subject, String detail) {
    boolean record;
    int summary = 0;
    synchronized (this) {
      Instant now = clock.instant();
      if (!now.isBefore(windowStart.plus(WINDOW))) {
        summary = suppressed;
        windowStart = now;
        recorded = 0;
        suppressed = 0;
      }
      record = recorded < limit;
      if (record) {
        recorded++;
      } else {
        suppressed++;
      }
    }
    if (record) {
      LOG.warn("{} {}: {}", action, subject, detail);
    }
    if (audit == null) {
      return;
    }
    try {
      if (summary > 0) {
        audit.record(actor, summaryAction, "-", summary + " more in one minute, not recorded");
      }
      if (record) {
        audit.record(actor, action, subject, detail);
      }
    } catch (RuntimeException e) {
      LOG.warn("cannot audit {} {}: {}", action, subject, e.getMessage());
    }
  }
}
