package org.keyprov.keys.store;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.keyprov.keys.KeyManagerException;
import org.keyprov.keys.KeyManagerException.Kind;
import org.keyprov.keys.MasterKey;

/**
 * AES-256-GCM sealing of secrets at rest: {@code nonce(12) || ciphertext || tag(16)}. The
 * associated data binds a ciphertext to its row ("device.ks:ep1"), so a ciphertext copied to
 * another row does not open.
 */
final class SecretBox {
  private static final int NONCE_LENGTH = 12;
  private static final int TAG_BITS = 128;

  private final SecretKeySpec key;
  private final SecureRandom random;

  SecretBox(MasterKey masterKey, SecureRandom random) {
    byte[] bytes = masterKey.bytes();
    this.key = new SecretKeySpec(bytes, "AES");
    Arrays.fill(bytes, (byte) 0);
    this.random = random;
  }

  byte[] seal(byte[] plaintext, String context) {
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

  byte[] open(byte[] box, String context) {
    try {
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
      cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, box, 0, NONCE_LENGTH));
      cipher.updateAAD(context.getBytes(StandardCharsets.UTF_8));
      return cipher.doFinal(box, NONCE_LENGTH, box.length - NONCE_LENGTH);
    } catch (AEADBadTagException e) {
      throw new KeyManagerException(
          Kind.STORAGE,
          "a stored secret ("
              + context
              + ") does not decrypt: the master key is not the one this database was created with");
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM is unavailable", e);
    }
  }
}
