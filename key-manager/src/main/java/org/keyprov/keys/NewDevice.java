package org.keyprov.keys;

import java.util.Objects;

/**
 * A device to add: endpoint and its DM (DTLS-PSK) credential, or its factory bootstrap credential
 * (then the bootstrap server gives it a DM PSK). The key is copied, never printed.
 */
public final class NewDevice {
  private final String endpoint;
  private final String dmPskIdentity;
  private final byte[] dmPsk;
  private final boolean factoryBootstrap;

  public NewDevice(String endpoint, String dmPskIdentity, byte[] dmPsk) {
    this(endpoint, dmPskIdentity, dmPsk, false);
  }

  /**
   * @param factoryBootstrap the identity and key are the device's factory bootstrap credential, not
   *     a DM PSK
   */
  public NewDevice(String endpoint, String identity, byte[] key, boolean factoryBootstrap) {
    this.endpoint = Objects.requireNonNull(endpoint, "endpoint");
    this.dmPskIdentity = Objects.requireNonNull(identity, "identity");
    this.dmPsk = Objects.requireNonNull(key, "key").clone();
    this.factoryBootstrap = factoryBootstrap;
  }

  /** Whether {@link #dmPskIdentity} and {@link #dmPsk} are a factory bootstrap credential. */
  public boolean factoryBootstrap() {
    return factoryBootstrap;
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
    return "NewDevice["
        + endpoint
        + (factoryBootstrap ? ", bootstrap identity=" : ", identity=")
        + dmPskIdentity
        + "]";
  }
}
