package org.keyprov.keys.store;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;

/**
 * Password hashing with PBKDF2-HMAC-SHA256 from the JDK's provider: {@code
 * pbkdf2-sha256$<iterations>$<salt b64>$<hash b64>}. 310,000 iterations (OWASP's figure for this
 * hash), 16-byte salt, 32-byte output. Pure apart from the salt.
 */
final class Pbkdf2 {
  static final int ITERATIONS = 310_000;

  private Pbkdf2() {}

  static String hash(char[] password, SecureRandom random) {
    byte[] salt = new byte[16];
    random.nextBytes(salt);
    return "pbkdf2-sha256$"
        + ITERATIONS
        + "$"
        + b64(salt)
        + "$"
        + b64(derive(password, salt, ITERATIONS));
  }

  static boolean verify(char[] password, String stored) {
    String[] parts = stored.split("\\$");
    if (parts.length != 4 || !parts[0].equals("pbkdf2-sha256")) {
      return false;
    }
    byte[] salt = Base64.getDecoder().decode(parts[2]);
    byte[] expected = Base64.getDecoder().decode(parts[3]);
    return MessageDigest.isEqual(expected, derive(password, salt, Integer.parseInt(parts[1])));
  }

  private static byte[] derive(char[] password, byte[] salt, int iterations) {
    PBEKeySpec spec = new PBEKeySpec(password, salt, iterations, 256);
    try {
      return SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256").generateSecret(spec).getEncoded();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("PBKDF2WithHmacSHA256 is missing from this JVM", e);
    } finally {
      spec.clearPassword();
    }
  }

  private static String b64(byte[] b) {
    return Base64.getEncoder().withoutPadding().encodeToString(b);
  }
}
