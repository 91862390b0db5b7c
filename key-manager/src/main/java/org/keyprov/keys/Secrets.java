package org.keyprov.keys;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** Helpers to talk about secrets without showing them. */
public final class Secrets {
  private Secrets() {}

  /**
   * A short fingerprint of a key, safe for logs: the first 8 hex digits of SHA-256 over the key,
   * prefixed so nobody mistakes it for key material.
   */
  public static String fingerprint(byte[] key) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(key);
      return "sha256:" + HexFormat.of().formatHex(digest, 0, 4);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }
}
