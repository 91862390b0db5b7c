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
}
