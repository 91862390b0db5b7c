package org.keyprov.keys.gba;

import java.util.Base64;
import java.util.Objects;
import java.util.Optional;

/**
 * A bootstrapping transaction identifier, {@code base64(RAND)@domain} (TS 33.220 §4.5.2), used as
 * the PSK identity towards Enablers.
 */
public record BTid(String value) {
  /** Length of RAND in octets. */
  public static final int RAND_LENGTH = 16;

  /** Prefix a TLS client may put before the B-TID in its PSK identity (TS 24.109 F.3). */
  public static final String PSK_IDENTITY_PREFIX = "3GPP-bootstrapping.";

  /** The PSK identity hint an Enabler sends (TS 24.109 F.3). */
  public static final String PSK_IDENTITY_HINT = "3GPP-bootstrapping";

  public BTid {
    Objects.requireNonNull(value, "value");
  }

  /** base64(RAND) "@" domain, standard base64 with padding. */
  public static BTid of(byte[] rand, String domain) {
    Objects.requireNonNull(rand, "rand");
    Objects.requireNonNull(domain, "domain");
    if (rand.length != RAND_LENGTH) {
      throw new IllegalArgumentException("RAND must be 16 bytes, got " + rand.length);
    }
    if (domain.isBlank() || domain.contains("@")) {
      throw new IllegalArgumentException(
          "the B-TID domain must be a host name, got '" + domain + "'");
    }
    return new BTid(Base64.getEncoder().encodeToString(rand) + "@" + domain);
  }

  /**
   * The B-TID named by a PSK identity: the identity itself, or what follows the {@code
   * 3GPP-bootstrapping.} prefix. Empty if the identity cannot be a B-TID (no {@code @}, or a local
   * part that is not base64 of 16 octets).
   */
  public static Optional<BTid> fromPskIdentity(String pskIdentity) {
    if (pskIdentity == null) {
      return Optional.empty();
    }
    String candidate =
        pskIdentity.startsWith(PSK_IDENTITY_PREFIX)
            ? pskIdentity.substring(PSK_IDENTITY_PREFIX.length())
            : pskIdentity;
    int at = candidate.indexOf('@');
    if (at != 24 || candidate.length() == at + 1) {
      return Optional.empty();
    }
    try {
      if (Base64.getDecoder().decode(candidate.substring(0, at)).length != RAND_LENGTH) {
        return Optional.empty();
      }
    } catch (IllegalArgumentException notBase64) {
      return Optional.empty();
    }
    return Optional.of(new BTid(candidate));
  }

  /** The RAND this B-TID encodes. */
  public byte[] rand() {
    return Base64.getDecoder().decode(value.substring(0, value.indexOf('@')));
  }

  @Override
  public String toString() {
    return value;
  }
}
