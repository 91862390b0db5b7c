package org.keyprov.keys;

import java.time.Instant;

/**
 * A device's bootstrap and DM credential state, for the operator. Holds no key material.
 *
 * @param bsPskIdentity its factory bootstrap PSK identity, or null if it has none
 * @param bootstrappedAt when it last finished a bootstrap session, or null
 * @param dmPskVersion the version of its current DM PSK: 1 for the first, one more per rotation
 * @param pendingSince when the bootstrap server issued a DM PSK the device has not registered with
 *     yet, or null
 * @param rotationRequestedAt when a DM PSK rotation was asked for and not done yet, or null
 * @param bsPskVersion the version of its factory bootstrap credential: 1 for the one from the
 *     factory, one more per rotation
 * @param newBsPskIdentity the identity of a new factory credential the device has not bootstrapped
 *     with yet, or null
 */
public record BootstrapStatus(
    String bsPskIdentity,
    Instant bootstrappedAt,
    int dmPskVersion,
    Instant pendingSince,
    Instant rotationRequestedAt,
    int bsPskVersion,
    String newBsPskIdentity) {}
