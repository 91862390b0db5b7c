package org.keyprov.client.object;

import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.keyprov.keys.Secrets;

/**
 * A snapshot of one Enabler Security Parameters instance as the device holds it. Carries the key
 * (the device needs it for the handshake), copied in and out, never printed.
 */
public final class EnablerSecurityState {
  private final int instanceId;
  private final String enablerUri;
  private final String nafFqdn;
  private final byte[] uaSecurityProtocolId;
  private final String pskIdentity;
  private final byte[] pskKey;
  private final Instant keyExpiry;
  private final List<String> allowList;
  private final List<Integer> cipherSuites;
  private final int keyVersion;
  private final int source;
  private final String lastConnectionResult;
  private final Instant lastConnectionTime;

  EnablerSecurityState(Builder b) {
    this.instanceId = b.instanceId;
    this.enablerUri = b.enablerUri;
    this.nafFqdn = b.nafFqdn;
    this.uaSecurityProtocolId = b.uaSecurityProtocolId.clone();
    this.pskIdentity = b.pskIdentity;
    this.pskKey = b.pskKey.clone();
    this.keyExpiry = b.keyExpiry;
    this.allowList = List.copyOf(b.allowList);
    this.cipherSuites = List.copyOf(b.cipherSuites);
    this.keyVersion = b.keyVersion;
    this.source = b.source;
    this.lastConnectionResult = b.lastConnectionResult;
    this.lastConnectionTime = b.lastConnectionTime;
  }

  public int instanceId() {
    return instanceId;
  }

  public String enablerUri() {
    return enablerUri;
  }

  public String nafFqdn() {
    return nafFqdn;
  }

  public byte[] uaSecurityProtocolId() {
    return uaSecurityProtocolId.clone();
  }

  public String pskIdentity() {
    return pskIdentity;
  }

  /** A copy of the key; empty after Invalidate. */
  public byte[] pskKey() {
    return pskKey.clone();
  }

  public boolean hasKey() {
    return pskKey.length > 0;
  }

  public Instant keyExpiry() {
    return keyExpiry;
  }

  public List<String> allowList() {
    return allowList;
  }

  public List<Integer> cipherSuites() {
    return cipherSuites;
  }

  public int keyVersion() {
    return keyVersion;
  }

  /** {@code 0} DM server, {@code 1} SIM. */
  public int source() {
    return source;
  }

  public Optional<String> lastConnectionResult() {
    return Optional.ofNullable(lastConnectionResult).filter(s -> !s.isEmpty());
  }

  public Optional<Instant> lastConnectionTime() {
    return Optional.ofNullable(lastConnectionTime);
  }

  /** Whether {@code target} is on the allow-list (see {@link AllowList}). */
  public boolean allows(URI target) {
    return AllowList.allows(allowList, target);
  }

  public Builder toBuilder() {
    return new Builder()
        .instanceId(instanceId)
        .enablerUri(enablerUri)
        .nafFqdn(nafFqdn)
        .uaSecurityProtocolId(uaSecurityProtocolId)
        .pskIdentity(pskIdentity)
        .pskKey(pskKey)
        .keyExpiry(keyExpiry)
        .allowList(allowList)
        .cipherSuites(cipherSuites)
        .keyVersion(keyVersion)
        .source(source)
        .lastConnectionResult(lastConnectionResult)
        .lastConnectionTime(lastConnectionTime);
  }

  public static Builder builder() {
    return new Builder();
  }

  @Override
  public String toString() {
    return "EnablerSecurityState[instance="
        + instanceId
        + ", naf="
        + nafFqdn
        + ", uri="
        + enablerUri
        + ", identity="
        + pskIdentity
        + ", key="
        + (pskKey.length == 0 ? "none" : Secrets.fingerprint(pskKey))
        + ", version="
        + keyVersion
        + "]";
  }

  public static final class Builder {
    private int instanceId;
    private String enablerUri = "";
    private String nafFqdn = "";
    private byte[] uaSecurityProtocolId = new byte[0];
    private String pskIdentity = "";
    private byte[] pskKey = new byte[0];
    private Instant keyExpiry = Instant.EPOCH;
    private List<String> allowList = List.of();
    private List<Integer> cipherSuites = List.of();
    private int keyVersion;
    private int source;
    private String lastConnectionResult;
    private Instant lastConnectionTime;

    private Builder() {}

    public Builder instanceId(int v) {
      this.instanceId = v;
      return this;
    }

    public Builder enablerUri(String v) {
      this.enablerUri = Objects.requireNonNull(v);
      return this;
    }

    public Builder nafFqdn(String v) {
      this.nafFqdn = Objects.requireNonNull(v);
      return this;
    }

    public Builder uaSecurityProtocolId(byte[] v) {
      this.uaSecurityProtocolId = v.clone();
      return this;
    }

    public Builder pskIdentity(String v) {
      this.pskIdentity = Objects.requireNonNull(v);
      return this;
    }

    public Builder pskKey(byte[] v) {
      this.pskKey = v.clone();
      return this;
    }

    public Builder keyExpiry(Instant v) {
      this.keyExpiry = Objects.requireNonNull(v);
      return this;
    }

    public Builder allowList(List<String> v) {
      this.allowList = List.copyOf(v);
      return this;
    }

    public Builder cipherSuites(List<Integer> v) {
      this.cipherSuites = List.copyOf(v);
      return this;
    }

    public Builder keyVersion(int v) {
      this.keyVersion = v;
      return this;
    }

    public Builder source(int v) {
      this.source = v;
      return this;
    }

    public Builder lastConnectionResult(String v) {
      this.lastConnectionResult = v;
      return this;
    }

    public Builder lastConnectionTime(Instant v) {
      this.lastConnectionTime = v;
      return this;
    }

    public EnablerSecurityState build() {
      return new EnablerSecurityState(this);
    }
  }
}
