package org.keyprov.keys;

/**
 * The Key Manager: devices, Enablers, GBA-named keys and the lookup Enablers ask at handshake time.
 * Thread-safe. The JDBC implementation lives in {@code keyprov-key-manager-jdbc}; everything that
 * only uses a Key Manager depends on this interface.
 */
public interface KeyManager extends AutoCloseable {
  /** The Key Manager's domain: the part of each B-TID and IMPI after the {@code @}. */
  String domain();

  /** When keys are renewed before they expire. */
  RenewalPolicy renewal();

  CredentialAdmin admin();

  DmCredentials dmCredentials();

  /** Factory bootstrap credentials and the DM PSKs the bootstrap server issues. */
  BootstrapCredentials bootstrapCredentials();

  /** The in-process Zn-like lookup. */
  PskLookup lookup();

  ProvisioningLedger ledger();

  /** Per-device provisioning leases, for DM server nodes sharing the database. */
  ProvisioningLeases leases();

  /** Credentials of Enablers using the remote lookup API. */
  EnablerCredentials enablerCredentials();

  /** Operator accounts of the web UI and REST API. */
  OperatorAccounts operators();

  /** Signed-in sessions of those operators, shared by every process on the same database. */
  OperatorSessions sessions();

  /** Personal API tokens of those operators, for scripts. */
  ApiTokens tokens();

  /** The operator console's live events, shared by every process on the same database. */
  OperatorEvents events();

  /** Device import jobs: their progress and what they found, for every node to show. */
  ImportJobs imports();

  /** Keys invalidated before their expiry, for Enablers to drop from their caches at once. */
  InvalidationFeed invalidations();

  AuditLog audit();

  /** Stops serving; does not close the storage it was given. */
  @Override
  void close();
}
