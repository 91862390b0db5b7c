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
  private final boolean pending;
  private final boolean rotationDue;

  public DmPsk(String endpoint, String identity, byte[] key) {
    this(endpoint, identity, key, false, false);
  }

  /**
   * @param pending a DM PSK the bootstrap server issued that the device has not registered with
   *     yet: accepted beside the current one until it does ({@link DmCredentials#confirm})
   * @param rotationDue the operator asked for this device's DM PSK to be rotated
   */
  public DmPsk(String endpoint, String identity, byte[] key, boolean pending, boolean rotationDue) {
    this.endpoint = Objects.requireNonNull(endpoint, "endpoint");
    this.identity = Objects.requireNonNull(identity, "identity");
    this.key = Objects.requireNonNull(key, "key").clone();
    this.pending = pending;
    this.rotationDue = rotationDue;
  }

  public boolean pending() {
    return pending;
  }

  public boolean rotationDue() {
    return rotationDue;
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
        + (pending ? ", pending" : "")
        + "]";
  }
}
