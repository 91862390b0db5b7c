package org.keyprov.keys;

import java.util.Optional;

/** The DM server's read-only view of device DTLS-PSK credentials. Thread-safe. */
public interface DmCredentials {
  Optional<DmPsk> byIdentity(String pskIdentity);

  Optional<DmPsk> byEndpoint(String endpoint);
}
