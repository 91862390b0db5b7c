package org.keyprov.keys;

import java.util.Optional;

/**
 * The LwM2M bootstrap server's view of the Key Manager: each device's factory bootstrap credential
 * (a DTLS-PSK identity and key flashed at the factory) and the DM PSKs it issues. Thread-safe.
 */
public interface BootstrapCredentials {
  /**
   * The factory bootstrap credential with this PSK identity, as a (endpoint, identity, key): the
   * current one or a {@linkplain DmPsk#pending pending} new one.
   */
  Optional<DmPsk> byIdentity(String bsPskIdentity);

  /**
   * The new factory bootstrap credential minted for the device ({@link
   * CredentialAdmin#rotateBootstrapPsk}) that the bootstrap server is to write and that the device
   * has not bootstrapped with yet.
   */
  Optional<DmPsk> nextBootstrapPsk(String endpoint);

  /**
   * The device bootstrapped with its pending factory credential {@code identity}: it becomes the
   * current one and the old one stops working. No-op if that is not the pending one (any more).
   */
  void confirmBootstrap(String endpoint, String identity);

  /** The device's current factory bootstrap credential. */
  Optional<DmPsk> byEndpoint(String endpoint);

  /**
   * Mints the DM PSK the bootstrap server writes to the device now: pending, accepted beside the
   * current one until the device registers with it (then the current one is retired), and replacing
   * an earlier pending one. Audited, with the key's fingerprint only.
   *
   * @throws KeyManagerException NOT_FOUND if there is no such device
   */
  DmPsk issueDmPsk(String endpoint);

  /**
   * The rotation policy: asks for a DM PSK rotation ({@link CredentialAdmin#requestDmRotation}) of
   * up to {@code limit} devices with a factory bootstrap credential whose DM PSK is older than
   * {@code maxAge} and that have no rotation under way, oldest first.
   *
   * @return how many were asked
   */
  int requestRotations(java.time.Duration maxAge, int limit);

  /** The device finished a bootstrap session: recorded and audited with {@code detail}. */
  void bootstrapped(String endpoint, String detail);
}
