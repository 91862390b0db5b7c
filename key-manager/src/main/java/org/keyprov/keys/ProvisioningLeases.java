package org.keyprov.keys;

import java.time.Duration;
import java.time.Instant;

/**
 * Per-device provisioning leases, for several DM server nodes on one database: a node takes a
 * device's lease before a provisioning pass and releases it after, so two nodes never write to the
 * same device at once; a lease whose node died ends by itself at its term. Thread-safe.
 */
public interface ProvisioningLeases {
  /**
   * Takes or renews the lease of {@code endpoint}'s device for {@code node} until {@code now +
   * term}.
   *
   * @return false if another node holds an unexpired lease; true if this node holds it now
   * @throws KeyManagerException {@code NOT_FOUND} if there is no such device
   */
  boolean take(String endpoint, String node, Instant now, Duration term);

  /**
   * Takes the lease of {@code endpoint}'s device for {@code node} until {@code now + term}, whoever
   * holds it: for a device that has just registered anew through {@code node}, which a pass on
   * another node can no longer reach (the device left that node's DTLS session). That node finds
   * the lease gone when it renews it before its next write.
   *
   * @throws KeyManagerException {@code NOT_FOUND} if there is no such device
   */
  void takeOver(String endpoint, String node, Instant now, Duration term);

  /** Gives the lease back, if {@code node} holds it. */
  void release(String endpoint, String node);
}
