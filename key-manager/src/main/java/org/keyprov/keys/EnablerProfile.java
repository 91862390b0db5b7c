package org.keyprov.keys;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import org.keyprov.keys.gba.NafId;
import org.keyprov.keys.gba.UaSecurityProtocolId;

/**
 * What the Key Manager knows of an Enabler (a NAF): its NAF_Id, where devices reach it, the URLs a
 * key minted for it may be used with, the cipher suites it accepts and how long its keys live; and
 * whether the bootstrap server writes its parameters to a device at its first bootstrap ({@code
 * atBootstrap}), before the device ever registers.
 */
public record EnablerProfile(
    NafId nafId,
    URI uri,
    List<String> allowList,
    List<Integer> cipherSuites,
    Duration keyLifetime,
    boolean atBootstrap) {

  /** TLS_PSK_WITH_AES_128_CCM_8, the LwM2M PSK suite, the default for DTLS-PSK Enablers. */
  public static final int TLS_PSK_WITH_AES_128_CCM_8 = 0xC0A8;

  /** Provisioned by the DM server only, never at bootstrap. */
  public EnablerProfile(
      NafId nafId,
      URI uri,
      List<String> allowList,
      List<Integer> cipherSuites,
      Duration keyLifetime) {
    this(nafId, uri, allowList, cipherSuites, keyLifetime, false);
  }

  /** This profile, its parameters written at bootstrap or not. */
  public EnablerProfile atBootstrap(boolean atBootstrap) {
    return new EnablerProfile(nafId, uri, allowList, cipherSuites, keyLifetime, atBootstrap);
  }

  /** Whether devices holding parameters of {@code other} would hold the same ones from this. */
  public boolean sameParameters(EnablerProfile other) {
    return nafId.equals(other.nafId)
        && uri.equals(other.uri)
        && allowList.equals(other.allowList)
        && cipherSuites.equals(other.cipherSuites)
        && keyLifetime.equals(other.keyLifetime);
  }

  public EnablerProfile {
    Objects.requireNonNull(nafId, "nafId");
    Objects.requireNonNull(uri, "uri");
    allowList = List.copyOf(allowList);
    cipherSuites = List.copyOf(cipherSuites);
    Objects.requireNonNull(keyLifetime, "keyLifetime");
    String scheme = uri.getScheme();
    if (!"coaps".equals(scheme) && !"tls".equals(scheme)) {
      throw new IllegalArgumentException(
          "Enabler URI '" + uri + "' must use coaps:// (DTLS-PSK) or tls:// (PSK-TLS)");
    }
    if (uri.getHost() == null || uri.getPort() <= 0) {
      throw new IllegalArgumentException("Enabler URI '" + uri + "' needs a host and a port");
    }
    if (keyLifetime.isNegative() || keyLifetime.isZero()) {
      throw new IllegalArgumentException("key lifetime must be positive, got " + keyLifetime);
    }
    for (int suite : cipherSuites) {
      if (suite < 0 || suite > 0xFFFF) {
        throw new IllegalArgumentException("cipher suite " + suite + " is not a 2-octet code");
      }
    }
  }

  /**
   * A DTLS-PSK Enabler at {@code uri} with OMA's Ua id for TLS_PSK_WITH_AES_128_CCM_8, the URI as
   * its only allowed URL and the given key lifetime.
   */
  public static EnablerProfile dtls(String fqdn, URI uri, Duration keyLifetime) {
    return new EnablerProfile(
        new NafId(fqdn, UaSecurityProtocolId.omaPskTls(TLS_PSK_WITH_AES_128_CCM_8)),
        uri,
        List.of(uri.toString()),
        List.of(TLS_PSK_WITH_AES_128_CCM_8),
        keyLifetime);
  }

  public String fqdn() {
    return nafId.fqdn();
  }
}
