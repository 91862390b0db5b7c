package org.keyprov.enabler.lookup;

import org.keyprov.keys.LookupResult.Refusal;

/**
 * Hears the Enabler's key decisions at handshake time. Called from lookup threads; implementations
 * return quickly. Never receives key material.
 */
public interface HandshakeListener {
  default void keyGranted(String pskIdentity, String endpoint, int keyVersion) {}

  default void keyRefused(String pskIdentity, Refusal reason, String message) {}

  default void lookupFailed(String pskIdentity, String reason) {}

  /**
   * The identity's key was granted, but the handshake then failed because the client proved a
   * different key (wrong, stale or tampered). Called from I/O threads.
   */
  default void handshakeFailed(String pskIdentity, String reason) {}
}
