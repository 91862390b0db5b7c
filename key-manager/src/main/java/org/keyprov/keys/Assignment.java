package org.keyprov.keys;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * One Enabler assigned to one device, with the outcome of the last provisioning attempt and the
 * last connection result the device reported. {@code overwriteSim}: the operator asked the DM
 * server to replace parameters the device read from its SIM.
 */
public record Assignment(
    String endpoint,
    String nafFqdn,
    ProvisioningState state,
    String detail,
    int attempts,
    Optional<Instant> nextAttemptAt,
    Optional<String> lastConnectionResult,
    Instant updatedAt,
    boolean overwriteSim) {
  public Assignment {
    Objects.requireNonNull(endpoint, "endpoint");
    Objects.requireNonNull(nafFqdn, "nafFqdn");
    Objects.requireNonNull(state, "state");
    Objects.requireNonNull(detail, "detail");
    Objects.requireNonNull(nextAttemptAt, "nextAttemptAt");
    Objects.requireNonNull(lastConnectionResult, "lastConnectionResult");
    Objects.requireNonNull(updatedAt, "updatedAt");
  }
}
