package org.keyprov.keys;

import java.time.Instant;
import java.util.Objects;
import org.keyprov.keys.gba.BTid;

/**
 * Everything the DM server writes to a device for one Enabler: the Enabler's profile, the key
 * identity (B-TID), the NAF-specific key, its expiry and version. The key is copied in and out and
 * never printed.
 */
public final class EnablerParameters {
  private final EnablerProfile enabler;
  private final BTid btid;
  private final byte[] key;
  private final Instant expiresAt;
  private final int keyVersion;

  public EnablerParameters(
      EnablerProfile enabler, BTid btid, byte[] key, Instant expiresAt, int keyVersion) {
    this.enabler = Objects.requireNonNull(enabler, "enabler");
    this.btid = Objects.requireNonNull(btid, "btid");
    this.key = Objects.requireNonNull(key, "key").clone();
    this.expiresAt = Objects.requireNonNull(expiresAt, "expiresAt");
    this.keyVersion = keyVersion;
  }

  public EnablerProfile enabler() {
    return enabler;
  }

  public BTid btid() {
    return btid;
  }

  /** A copy of Ks_NAF; the caller may wipe it. */
  public byte[] key() {
    return key.clone();
  }

  public Instant expiresAt() {
    return expiresAt;
  }

  public int keyVersion() {
    return keyVersion;
  }

  @Override
  public String toString() {
    return "EnablerParameters[naf="
        + enabler.nafId()
        + ", btid="
        + btid
        + ", key="
        + Secrets.fingerprint(key)
        + ", expiresAt="
        + expiresAt
        + ", version="
        + keyVersion
        + "]";
  }
}
