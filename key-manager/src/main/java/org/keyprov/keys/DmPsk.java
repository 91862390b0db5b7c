package org.keyprov.keys;

import java.util.Objects;

/**
 * The DTLS-PSK credential a device uses towards the DM server. The key is copied in and out and
 * never printed.
 */
public final class DmPsk {
  private final String endpoint;
  private final String identity;
  private final byte[] key;

  public DmPsk(String endpoint, String identity, byte[] key) {
    this.endpoint = Objects.requireNonNull(endpoint, "endpoint");
    this.identity = Objects.requireNonNull(identity, "identity");
    this.key = Objects.requireNonNull(key, "key").clone();
  }

  public String endpoint() {
    return endpoint;
  }

  public String identity() {
    return identity;
  }

  /** A copy of the key; the caller may wipe it. */
  public byte[] key() {
    return key.clone();
  }

  @Override
  public String toString() {
    return "DmPsk[endpoint="
        + endpoint
        + ", identity="
        + identity
        + ", key="
        + Secrets.fingerprint(key)
        + "]";
  }
}
