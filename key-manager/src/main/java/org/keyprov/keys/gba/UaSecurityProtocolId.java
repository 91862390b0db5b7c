package org.keyprov.keys.gba;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;

/**
 * The five-octet Ua security protocol identifier of TS 33.220 Annex H: an organisation octet and
 * four protocol octets. Immutable.
 */
public final class UaSecurityProtocolId {
  public static final int LENGTH = 5;

  private final byte[] octets;

  private UaSecurityProtocolId(byte[] octets) {
    this.octets = octets;
  }

  /** Copies the five octets. */
  public static UaSecurityProtocolId of(byte[] octets) {
    Objects.requireNonNull(octets, "octets");
    if (octets.length != LENGTH) {
      throw new IllegalArgumentException(
          "a Ua security protocol id is 5 octets, got " + octets.length);
    }
    return new UaSecurityProtocolId(octets.clone());
  }

  /** Parses ten hex digits, spaces and colons ignored: {@code 03 00 01 c0 a8}. */
  public static UaSecurityProtocolId parse(String hex) {
    Objects.requireNonNull(hex, "hex");
    String digits = hex.replaceAll("[\\s:]", "");
    if (!digits.matches("[0-9a-fA-F]{10}")) {
      throw new IllegalArgumentException(
          "a Ua security protocol id is 10 hex digits (5 octets), e.g. 030001c0a8; got '"
              + hex
              + "'");
    }
    return new UaSecurityProtocolId(HexFormat.of().parseHex(digits));
  }

  /** OMA's PSK-TLS identifier {@code 03 00 01 yy zz} (OMNA GBA protocol identifiers). */
  public static UaSecurityProtocolId omaPskTls(int cipherSuite) {
    return withSuite(0x03, cipherSuite);
  }

  /** 3GPP's TLS 1.2 shared-key identifier {@code 01 00 01 yy zz} (TS 33.222 §5.4). */
  public static UaSecurityProtocolId threeGppTls12(int cipherSuite) {
    return withSuite(0x01, cipherSuite);
  }

  /** 3GPP's TLS 1.3 shared-key identifier {@code 01 00 00 00 07} (TS 33.222 §5.4.0.2). */
  public static UaSecurityProtocolId threeGppTls13() {
    return new UaSecurityProtocolId(new byte[] {0x01, 0x00, 0x00, 0x00, 0x07});
  }

  private static UaSecurityProtocolId withSuite(int organisation, int cipherSuite) {
    if (cipherSuite < 0 || cipherSuite > 0xFFFF) {
      throw new IllegalArgumentException("a TLS cipher suite is 2 octets, got " + cipherSuite);
    }
    return new UaSecurityProtocolId(
        new byte[] {
          (byte) organisation, 0x00, 0x01, (byte) (cipherSuite >>> 8), (byte) cipherSuite
        });
  }

  /** A copy of the five octets. */
  public byte[] toBytes() {
    return octets.clone();
  }

  public String toHex() {
    return HexFormat.of().formatHex(octets);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof UaSecurityProtocolId other && Arrays.equals(octets, other.octets);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(octets);
  }

  @Override
  public String toString() {
    return toHex();
  }
}
