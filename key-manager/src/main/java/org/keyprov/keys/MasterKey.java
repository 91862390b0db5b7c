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

  /**
   * A key of its own for one purpose, {@code label} (HMAC-SHA256 of the label under this key): what
   * seals a file the application keeps beside the database, so no two uses share a key.
   */
  public byte[] derive(String label) {
    try {
      javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
      mac.init(new javax.crypto.spec.SecretKeySpec(key, "HmacSHA256"));
      return mac.doFinal(label.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is missing from this Java", e);
    }
  }

  @Override
  public String toString() {
    return "MasterKey[" + Secrets.fingerprint(key) + "]";
  }
}
