package org.keyprov.keys.gba;

import java.io.ByteArrayOutputStream;
import java.util.Locale;
import java.util.Objects;

/**
 * NAF_Id = UTF-8(NAF FQDN) || Ua security protocol identifier (TS 33.220 Annex H). The FQDN is kept
 * lower-case, as DNS names compare case-insensitively.
 */
public record NafId(String fqdn, UaSecurityProtocolId ua) {
  public NafId {
    Objects.requireNonNull(fqdn, "fqdn");
    Objects.requireNonNull(ua, "ua");
    fqdn = fqdn.trim().toLowerCase(Locale.ROOT);
    if (fqdn.isEmpty() || fqdn.length() > 253 || fqdn.chars().anyMatch(Character::isWhitespace)) {
      throw new IllegalArgumentException(
          "a NAF FQDN is a non-empty host name of at most 253 characters without spaces");
    }
  }

  /** The octets that enter the KDF as P3. */
  public byte[] toBytes() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(GbaKdf.utf8(fqdn));
    out.writeBytes(ua.toBytes());
    return out.toByteArray();
  }

  @Override
  public String toString() {
    return fqdn + "|" + ua.toHex();
  }
}
