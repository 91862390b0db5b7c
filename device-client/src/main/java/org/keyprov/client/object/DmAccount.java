package org.keyprov.client.object;

import java.util.Objects;

/**
 * The DM server account a bootstrap server gave the device: where to register and with which
 * DTLS-PSK credential. Kept in the {@link StateFile} so a restarted device registers without
 * bootstrapping again. The key is copied in and out and never printed.
 */
public final class DmAccount {
  private final String uri;
  private final int shortServerId;
  private final String identity;
  private final byte[] key;
  private final long lifetime;

  public DmAccount(String uri, int shortServerId, String identity, byte[] key, long lifetime) {
    this.uri = Objects.requireNonNull(uri, "uri");
    this.shortServerId = shortServerId;
    this.identity = Objects.requireNonNull(identity, "identity");
    this.key = Objects.requireNonNull(key, "key").clone();
    this.lifetime = lifetime;
  }

  public String uri() {
    return uri;
  }

  public int shortServerId() {
    return shortServerId;
  }

  public String identity() {
    return identity;
  }

  /** A copy of the key; the caller may wipe it. */
  public byte[] key() {
    return key.clone();
  }

  /** The registration lifetime in seconds. */
  public long lifetime() {
    return lifetime;
  }

  @Override
  public String toString() {
    return "DmAccount[" + uri + ", ssid " + shortServerId + ", identity " + identity + "]";
  }
}
