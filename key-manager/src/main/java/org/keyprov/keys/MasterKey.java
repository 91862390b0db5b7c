package org.keyprov.keys;

import java.util.Objects;

/**
 * The 256-bit key that encrypts secrets at rest (device root keys Ks, DM PSKs). It lives outside
 * the database: the application loads it from a file or the environment. Copied in and out, never
 * printed.
 */
public final class MasterKey {
  public static final int LENGTH = 32;

  private final byte[] key;

  private MasterKey(byte[] key) {
    this.key = key;
  }

  public static MasterKey of(byte[] key) {
    Objects.requireNonNull(key, "key");
    if (key.length != LENGTH) {
      throw new IllegalArgumentException("a master key is 32 bytes, got " + key.length);
    }
    return new MasterKey(key.clone());
  }

  public byte[] bytes() {
    return key.clone();
  }

  @Override
  public String toString() {
    return "MasterKey[" + Secrets.fingerprint(key) + "]";
  }
}
