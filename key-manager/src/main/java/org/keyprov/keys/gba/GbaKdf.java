package org.keyprov.keys.gba;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.InvalidKeyException;
import java.text.Normalizer;
import java.util.Objects;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The 3GPP generic key derivation function (TS 33.220 Annex B.2) and its NAF-specific use (Annex
 * B.3). Pure: bytes in, bytes out; thread-safe.
 */
public final class GbaKdf {
  /** FC of the NAF-specific key derivation, TS 33.220 B.3. */
  static final byte FC_NAF = 0x01;

  private static final int MAX_PARAMETER_LENGTH = 0xFFFF;

  /**
   * P0 of the NAF-specific derivation: {@code gba-me} for Ks_(ext)_NAF, {@code gba-u} for
   * Ks_int_NAF.
   */
  public enum Variant {
    GBA_ME("gba-me"),
    GBA_U("gba-u");

    private final String label;

    Variant(String label) {
      this.label = label;
    }

    public String label() {
      return label;
    }

    /** Parses {@code gba-me} or {@code gba-u}. */
    public static Variant parse(String label) {
      for (Variant v : values()) {
        if (v.label.equals(label)) {
          return v;
        }
      }
      throw new IllegalArgumentException(
          "unknown GBA variant '"
              + label
              + "': use gba-me (Ks_NAF, Ks_ext_NAF) or gba-u (Ks_int_NAF)");
    }
  }

  private GbaKdf() {}

  /**
   * Ks_NAF = KDF(Ks, "gba-me", RAND, IMPI, NAF_Id), TS 33.220 B.3 (Ks_int_NAF with {@link
   * Variant#GBA_U}).
   *
   * @param ks the root key Ks (CK || IK, 32 bytes); not modified
   * @param rand the 16-byte RAND of the bootstrapping
   * @param impi the private user identity; NFKC-normalised and UTF-8 encoded (B.2.1.2)
   * @return a new 32-byte key the caller owns
   */
  public static byte[] deriveNafKey(
      byte[] ks, byte[] rand, String impi, NafId nafId, Variant variant) {
    Objects.requireNonNull(ks, "ks");
    Objects.requireNonNull(rand, "rand");
    Objects.requireNonNull(impi, "impi");
    Objects.requireNonNull(nafId, "nafId");
    Objects.requireNonNull(variant, "variant");
    if (rand.length != BTid.RAND_LENGTH) {
      throw new IllegalArgumentException(
          "RAND must be " + BTid.RAND_LENGTH + " bytes, got " + rand.length);
    }
    return kdf(
        ks,
        FC_NAF,
        variant.label().getBytes(StandardCharsets.US_ASCII),
        rand,
        utf8(impi),
        nafId.toBytes());
  }

  /**
   * The generic KDF: HMAC-SHA-256(key, FC || P0 || L0 || … || Pn || Ln), each Li the length of Pi
   * on two octets, big-endian, placed after Pi (B.2).
   */
  public static byte[] kdf(byte[] key, byte fc, byte[]... parameters) {
    if (key.length == 0) {
      throw new IllegalArgumentException("the KDF key must not be empty");
    }
    return hmacSha256(key, s(fc, parameters));
  }

  /** The input string S of the generic KDF, exposed for tests and for interop debugging. */
  static byte[] s(byte fc, byte[]... parameters) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(64);
    out.write(fc);
    for (int i = 0; i < parameters.length; i++) {
      byte[] p = parameters[i];
      if (p.length > MAX_PARAMETER_LENGTH) {
        throw new IllegalArgumentException(
            "KDF parameter P" + i + " is " + p.length + " octets; at most 65535 allowed");
      }
      out.writeBytes(p);
      out.write(p.length >>> 8);
      out.write(p.length & 0xFF);
    }
    return out.toByteArray();
  }

  /** UTF-8 of the NFKC normal form, as TS 33.220 B.2.1.2 asks for character strings. */
  static byte[] utf8(String s) {
    return Normalizer.normalize(s, Normalizer.Form.NFKC).getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] hmacSha256(byte[] key, byte[] message) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return mac.doFinal(message);
    } catch (InvalidKeyException e) {
      throw new IllegalArgumentException("unusable KDF key", e);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is missing from this JVM", e);
    }
  }
}
