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
  private final Instant renewAt;
  private final int keyVersion;

  /** {@code renewAt}: when the DM server writes the next version ({@link RenewalPolicy}). */
  public EnablerParameters(
      EnablerProfile enabler,
      BTid btid,
      byte[] key,
      Instant expiresAt,
      Instant renewAt,
      int keyVersion) {
    this.enabler = Objects.requireNonNull(enabler, "enabler");
    this.btid = Objects.requireNonNull(btid, "btid");
    this.key = Objects.requireNonNull(key, "key").clone();
    this.expiresAt = Objects.requireNonNull(expiresAt, "expiresAt");
    this.renewAt = Objects.requireNonNull(renewAt, "renewAt");
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

  /** When this key is due for renewal: the next version is written from then on. */
  public Instant renewAt() {
    return renewAt;
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
        + ", renewAt="
        + renewAt
        + ", version="
        + keyVersion
        + "]";
  }
}
