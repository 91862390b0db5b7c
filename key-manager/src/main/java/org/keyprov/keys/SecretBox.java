package org.keyprov.keys;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * AES-256-GCM sealing: {@code nonce(12) || ciphertext || tag(16)}. The context is associated data
 * that binds a box to its place ("device.ks:ep1", "ask 4f… to node-1"), so a box copied elsewhere
 * does not open.
 */
public final class SecretBox {
  private static final int NONCE_LENGTH = 12;
  private static final int TAG_BITS = 128;

  private final SecretKeySpec key;
  private final SecureRandom random;

  /** Seals under {@code key} (32 bytes; copied, so the caller may wipe it). */
  public SecretBox(byte[] key, SecureRandom random) {
    if (key.length != MasterKey.LENGTH) {
      throw new IllegalArgumentException("an AES-256 key has 32 bytes, not " + key.length);
    }
    this.key = new SecretKeySpec(key, "AES"); // copies it
    this.random = random;
  }

  /** A box under the master key itself. */
  public static SecretBox of(MasterKey masterKey, SecureRandom random) {
    byte[] bytes = masterKey.bytes();
    try {
      return new SecretBox(bytes, random);
    } finally {
      Arrays.fill(bytes, (byte) 0);
    }
  }

  public byte[] seal(byte[] plaintext, String context) {
    byte[] nonce = new byte[NONCE_LENGTH];
    random.nextBytes(nonce);
    try {
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
      cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, nonce));
      cipher.updateAAD(context.getBytes(StandardCharsets.UTF_8));
      byte[] sealed = cipher.doFinal(plaintext);
      byte[] out = new byte[NONCE_LENGTH + sealed.length];
      System.arraycopy(nonce, 0, out, 0, NONCE_LENGTH);
      System.arraycopy(sealed, 0, out, NONCE_LENGTH, sealed.length);
      return out;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM is unavailable", e);
    }
  }

  /**
   * @throws NotOpened if {@code box} was sealed under another key or for another context, or was
   *     changed or cut short
   */
  public byte[] open(byte[] box, String context) {
    if (box.length < NONCE_LENGTH + TAG_BITS / 8) {
      throw new NotOpened(context);
    }
    try {
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
      cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, box, 0, NONCE_LENGTH));
      cipher.updateAAD(context.getBytes(StandardCharsets.UTF_8));
      return cipher.doFinal(box, NONCE_LENGTH, box.length - NONCE_LENGTH);
    } catch (AEADBadTagException e) {
      throw new NotOpened(context);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM is unavailable", e);
    }
  }

  /** A box that does not open under this key for this context. */
  public static final class NotOpened extends RuntimeException {
    private NotOpened(String context) {
      super("a sealed " + context + " does not open: sealed under another key, or changed");
    }
  }
}
