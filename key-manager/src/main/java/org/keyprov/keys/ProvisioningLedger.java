package org.keyprov.keys;

import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/** Per (device, Enabler) provisioning outcomes, kept by the DM server. Thread-safe. */
public interface ProvisioningLedger {

  List<Assignment> assignments(String endpoint);

  /**
   * The assignments of each device, read together (one query per 500 devices): what a page of the
   * device list needs. Every given endpoint is a key, in the given order; one without assignments,
   * or unknown, maps to an empty list.
   */
  Map<String, List<Assignment>> assignments(Collection<String> endpoints);

  /**
   * What a provisioning pass of this device needs, in one read: the assignments {@linkplain
   * Plan#due due} now and when the next one falls due.
   */
  Plan plan(String endpoint, Instant now);

  /** The assignments of this device due now ({@link Plan#due}). */
  default List<Assignment> due(String endpoint, Instant now) {
    return plan(endpoint, now).due();
  }

  /**
   * {@code due}: the device's assignments to provision now: pending, failed with their next attempt
   * due, provisioned with a key due for renewal ({@link RenewalPolicy}) or expired, or unsupported
   * (to be tried again if the device's registration now lists the object). {@code next}: when an
   * assignment of the device falls due next (the earliest of a failed one's next attempt and a
   * provisioned key's renewal), if any does: what a pass that found nothing due waits for.
   */
  record Plan(List<Assignment> due, Optional<Instant> next) {
    public Plan {
      due = List.copyOf(due);
      Objects.requireNonNull(next, "next");
    }
  }

  /**
   * The device acknowledged this key; it is due again at {@code renewAt}. A new version clears the
   * connection result reported for the previous one.
   */
  void provisioned(
      String endpoint, String fqdn, int keyVersion, Instant expiresAt, Instant renewAt);

  void failed(String endpoint, String fqdn, String reason, Instant nextAttemptAt);

  void unsupported(String endpoint, String fqdn, String reason);

  /** The device holds parameters for this Enabler from its SIM; the DM server left them. */
  void fromSim(String endpoint, String fqdn);

  /**
   * The operator asks for this assignment to be provisioned again at the next pass; with {@code
   * overwriteSim}, even over parameters the device read from its SIM.
   */
  void reprovision(String endpoint, String fqdn, boolean overwriteSim, String actor);

  void connectionReported(String endpoint, String fqdn, String result);
}
