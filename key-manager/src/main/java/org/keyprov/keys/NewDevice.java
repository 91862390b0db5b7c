package org.keyprov.keys;

import java.util.Objects;

/** A device to add: endpoint and DM (DTLS-PSK) credential. The key is copied, never printed. */
public final class NewDevice {
  private final String endpoint;
  private final String dmPskIdentity;
  private final byte[] dmPsk;

  public NewDevice(String endpoint, String dmPskIdentity, byte[] dmPsk) {
    this.endpoint = Objects.requireNonNull(endpoint, "endpoint");
    this.dmPskIdentity = Objects.requireNonNull(dmPskIdentity, "dmPskIdentity");
    this.dmPsk = Objects.requireNonNull(dmPsk, "dmPsk").clone();
  }

  public String endpoint() {
    return endpoint;
  }

  public String dmPskIdentity() {
    return dmPskIdentity;
  }

  public byte[] dmPsk() {
    return dmPsk.clone();
  }

  @Override
  public String toString() {
    return "NewDevice[" + endpoint + ", identity=" + dmPskIdentity + "]";
  }
}
