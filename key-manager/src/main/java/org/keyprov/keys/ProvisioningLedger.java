package org.keyprov.keys;

import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;

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
   * Assignments of this device to provision now: pending, failed with their next attempt due,
   * provisioned with a key due for renewal ({@link RenewalPolicy}) or expired, or unsupported (to
   * be tried again if the device's registration now lists the object).
   */
  List<Assignment> due(String endpoint, Instant now);

  /**
   * When an assignment of this device falls due next (a failed one's next attempt, a provisioned
   * key's renewal), if any does: what a pass that found nothing due waits for.
   */
  java.util.Optional<Instant> nextDue(String endpoint);

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
