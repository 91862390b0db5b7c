package org.keyprov.keys;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * One Enabler assigned to one device, with the outcome of the last provisioning attempt and the
 * last connection result the device reported. {@code overwriteSim}: the operator asked the DM
 * server to replace parameters the device read from its SIM. {@code keyVersion} and {@code
 * keyExpiresAt}: the key the DM server last wrote to the device, if any.
 *
 * <p>{@code state} is what an operator should read: a written key that has expired reads {@link
 * ProvisioningState#EXPIRED}, and one whose last Enabler connection failed reads {@link
 * ProvisioningState#FAILED}.
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
    boolean overwriteSim,
    Optional<Integer> keyVersion,
    Optional<Instant> keyExpiresAt) {
  public Assignment {
    Objects.requireNonNull(endpoint, "endpoint");
    Objects.requireNonNull(nafFqdn, "nafFqdn");
    Objects.requireNonNull(state, "state");
    Objects.requireNonNull(detail, "detail");
    Objects.requireNonNull(nextAttemptAt, "nextAttemptAt");
    Objects.requireNonNull(lastConnectionResult, "lastConnectionResult");
    Objects.requireNonNull(updatedAt, "updatedAt");
    Objects.requireNonNull(keyVersion, "keyVersion");
    Objects.requireNonNull(keyExpiresAt, "keyExpiresAt");
  }
}
