package org.keyprov.server.security;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import org.keyprov.keys.AuditLog;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Logs and audits what the DM server refuses (an unknown DTLS identity, an undeclared endpoint over
 * plain CoAP), at most {@code limit} rows a minute, so that a flood of bogus handshakes cannot fill
 * the audit log; what goes over is counted and audited as one summary row when the minute ends.
 * Thread-safe.
 */
public final class RefusalAudit {
  private static final Logger LOG = LoggerFactory.getLogger(RefusalAudit.class);
  private static final Duration WINDOW = Duration.ofMinutes(1);

  private final AuditLog audit;
  private final Clock clock;
  private final int limit;
  private Instant windowStart;
  private int recorded;
  private int suppressed;

  /** {@code audit}: {@code null} to log only. */
  public RefusalAudit(AuditLog audit, Clock clock, int limit) {
    this.audit = audit;
    this.clock = Objects.requireNonNull(clock, "clock");
    this.limit = limit;
    this.windowStart = clock.instant();
  }

  /** One refusal; {@code detail} must not carry key material. */
  public void refused(String action, String subject, String detail) {
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
        audit.record(
            "dm-server", "dm.refusals.suppressed", "-", summary + " more refusals in one minute");
      }
      if (record) {
        audit.record("dm-server", action, subject, detail);
      }
    } catch (RuntimeException e) {
      LOG.warn("cannot audit {} {}: {}", action, subject, e.getMessage());
    }
  }
}
