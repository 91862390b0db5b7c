package org.keyprov.keys;

import java.util.Optional;

/** The DM server's read-only view of device DTLS-PSK credentials. Thread-safe. */
public interface DmCredentials {
  /** The current or the pending DM PSK with this identity. */
  Optional<DmPsk> byIdentity(String pskIdentity);

  /** The device's current DM PSK (never the pending one). */
  Optional<DmPsk> byEndpoint(String endpoint);

  /**
   * The device registered with its {@linkplain DmPsk#pending pending} DM PSK {@code identity}: it
   * becomes the current one and the old one stops working. No-op if that identity is not the
   * device's pending one (any more).
   */
  void confirm(String endpoint, String identity);
}
