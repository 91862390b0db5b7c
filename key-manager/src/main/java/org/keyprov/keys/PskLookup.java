package org.keyprov.keys;

import org.keyprov.keys.gba.NafId;

/**
 * The Enabler's question to the Key Manager at handshake time, modelled on the Zn
 * Bootstrapping-Info-Request (TS 29.109): which key belongs to this PSK identity, for me?
 *
 * <p>Implementations are thread-safe and may block (database or network): callers on TLS/DTLS I/O
 * threads must call from another executor.
 */
public interface PskLookup {

  /**
   * @param pskIdentity the identity from the handshake: {@code <B-TID>} or {@code
   *     3GPP-bootstrapping.<B-TID>}
   * @param nafId the asking Enabler's own NAF_Id; the key is derived for it, and only granted if it
   *     is the NAF_Id the key was minted for
   */
  LookupResult lookup(String pskIdentity, NafId nafId);

  /**
   * The Enabler's report that a handshake failed after this lookup granted the identity's key: the
   * device proved a different key (a wrong, stale or tampered key). Recorded as a failed handshake,
   * so a granted {@code key.lookup} is not all the audit log shows. Best effort: implementations
   * may drop reports (rate limits, an unreachable Key Manager) and never fail the caller's
   * handshake path.
   *
   * @param reason what the Enabler saw, e.g. {@code TLS 1.2: bad_record_mac}; no key material
   */
  default void handshakeFailed(String pskIdentity, NafId nafId, String reason) {}
}
