package org.keyprov.server.provisioning;

import java.time.Clock;
import java.time.Duration;
import org.keyprov.keys.KeyManagerException;
import org.keyprov.keys.ProvisioningLeases;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's hold on a device while its provisioning pass runs: with one node, always held (the
 * {@link SerialScheduler} is enough); with several nodes on one database, a {@link
 * ProvisioningLeases} lease, so two nodes never write to the same device at once.
 */
interface PassLease {
  /** One DM server alone on its database. */
  PassLease SINGLE_NODE =
      new PassLease() {
        @Override
        public boolean take(String endpoint) {
          return true;
        }

        @Override
        public boolean takeOver(String endpoint) {
          return true;
        }

        @Override
        public void release(String endpoint) {}
      };

  /** Whether this node may run the device's pass now; if so, {@link #release} follows. */
  boolean take(String endpoint);

  /**
   * Like {@link #take}, but also when another node holds the lease: the device has just registered
   * anew here, so that node's pass can no longer reach it.
   */
  boolean takeOver(String endpoint);

  void release(String endpoint);

  /**
   * Leases in the database held by {@code node} for up to {@code term}, longer than a pass can take
   * (a node that dies mid-pass blocks the device for at most that long).
   */
  static PassLease shared(ProvisioningLeases leases, String node, Clock clock, Duration term) {
    Logger log = LoggerFactory.getLogger(PassLease.class);
    return new PassLease() {
      @Override
      public boolean take(String endpoint) {
        try {
          return leases.take(endpoint, node, clock.instant(), term);
        } catch (KeyManagerException e) {
          if (e.kind() == KeyManagerException.Kind.NOT_FOUND) {
            return true; // deleted meanwhile: the pass finds nothing to do
          }
          log.warn("{}: cannot take the provisioning lease: {}", endpoint, e.getMessage());
          return false;
        }
      }

      @Override
      public boolean takeOver(String endpoint) {
        try {
          leases.takeOver(endpoint, node, clock.instant(), term);
          return true;
        } catch (KeyManagerException e) {
          if (e.kind() == KeyManagerException.Kind.NOT_FOUND) {
            return true; // deleted meanwhile: the pass finds nothing to do
          }
          log.warn("{}: cannot take over the provisioning lease: {}", endpoint, e.getMessage());
          return false;
        }
      }

      @Override
      public void release(String endpoint) {
        try {
          leases.release(endpoint, node);
        } catch (KeyManagerException e) {
          log.warn(
              "{}: cannot release the provisioning lease (it ends by itself in {}): {}",
              endpoint,
              term,
              e.getMessage());
        }
      }
    };
  }
}
