package org.keyprov.keys;

import java.time.Instant;
import java.util.Objects;
import org.keyprov.keys.gba.BTid;

/**
 * A granted Zn-like lookup: the key an Enabler uses for a device's handshake, with what the
 * Bootstrapping-Info-Answer carries (expiry, IMPI, device endpoint, key version). The key is copied
 * in and out and never printed.
 */
public final class NafKey {
  private final BTid btid;
  private final byte[] key;
  private final Instant expiresAt;
  private final String impi;
  private final String endpoint;
  private final int keyVersion;

  public NafKey(
      BTid btid, byte[] key, Instant expiresAt, String impi, String endpoint, int keyVersion) {
    this.btid = Objects.requireNonNull(btid, "btid");
    this.key = Objects.requireNonNull(key, "key").clone();
    this.expiresAt = Objects.requireNonNull(expiresAt, "expiresAt");
    this.impi = Objects.requireNonNull(impi, "impi");
    this.endpoint = Objects.requireNonNull(endpoint, "endpoint");
    this.keyVersion = keyVersion;
  }

  public BTid btid() {
    return btid;
  }

  /** A copy of the key; the caller may hand it to a TLS stack that wipes it. */
  public byte[] key() {
    return key.clone();
  }

  public Instant expiresAt() {
    return expiresAt;
  }

  public String impi() {
    return impi;
  }

  public String endpoint() {
    return endpoint;
  }

  public int keyVersion() {
    return keyVersion;
  }

  @Override
  public String toString() {
    return "NafKey[btid="
        + btid
        + ", endpoint="
        + endpoint
        + ", key="
        + Secrets.fingerprint(key)
        + ", expiresAt="
        + expiresAt
        + ", version="
        + keyVersion
        + "]";
  }
}
