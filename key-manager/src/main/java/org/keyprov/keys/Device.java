package org.keyprov.keys;

import java.time.Instant;
import java.util.Objects;

/** A device known to the Key Manager. Holds no key material. */
public record Device(String endpoint, String impi, String dmPskIdentity, Instant createdAt) {
  public Device {
    Objects.requireNonNull(endpoint, "endpoint");
    Objects.requireNonNull(impi, "impi");
    Objects.requireNonNull(dmPskIdentity, "dmPskIdentity");
    Objects.requireNonNull(createdAt, "createdAt");
  }
}
