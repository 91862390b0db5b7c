package org.keyprov.client;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.Optional;
import org.keyprov.client.object.EnablerSecurityInstances;
import org.keyprov.client.object.EnablerSecurityState;
import org.keyprov.client.transport.DtlsPskChannel;
import org.keyprov.client.transport.TlsPskChannel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens secure connections to Enablers with the provisioned identity and key, only to URLs on the
 * provisioned allow-list, and writes each outcome to the instance's "last connection result".
 */
public final class EnablerConnector {
  /** The Enabler resource that answers with the authenticated identity. */
  public static final String WHOAMI_PATH = "/whoami";

  /** 3GPP's Ua id for shared-key TLS 1.3 (TS 33.222 §5.4.0.2): connect with TLS 1.3. */
  private static final byte[] TLS13_UA = {0x01, 0x00, 0x00, 0x00, 0x07};

  private static final Logger LOG = LoggerFactory.getLogger(EnablerConnector.class);

  private final EnablerSecurityInstances instances;
  private final Clock clock;
  private final Duration timeout;

  EnablerConnector(EnablerSecurityInstances instances, Clock clock, Duration timeout) {
    this.instances = instances;
    this.clock = clock;
    this.timeout = timeout;
  }

  /**
   * Connects to the Enabler's own URI: over DTLS asks {@value #WHOAMI_PATH}, over TLS sends one
   * line and reads the echo.
   */
  public ConnectionResult connect(String nafFqdn) {
    Optional<EnablerSecurityState> state = instances.byNafFqdn(nafFqdn);
    if (state.isEmpty()) {
      return ConnectionResult.failed(
          URI.create("unknown:" + nafFqdn),
          "no parameters for Enabler " + nafFqdn + " have been provisioned to this device");
    }
    String base = state.get().enablerUri();
    if (base.startsWith("tls:")) {
      return connect(nafFqdn, URI.create(base));
    }
    try {
      return connect(
          nafFqdn,
          new URI(
              base.endsWith("/")
                  ? base.substring(0, base.length() - 1) + WHOAMI_PATH
                  : base + WHOAMI_PATH));
    } catch (URISyntaxException e) {
      return record(
          state.get(),
          ConnectionResult.failed(
              URI.create("invalid:" + nafFqdn),
              "the provisioned Enabler URI is invalid: " + e.getMessage()));
    }
  }

  /**
   * Connects to {@code target} with the key of Enabler {@code nafFqdn}, if the allow-list permits.
   */
  public ConnectionResult connect(String nafFqdn, URI target) {
    Optional<EnablerSecurityState> found = instances.byNafFqdn(nafFqdn);
    if (found.isEmpty()) {
      return ConnectionResult.failed(
          target, "no parameters for Enabler " + nafFqdn + " have been provisioned to this device");
    }
    EnablerSecurityState state = found.get();
    if (!state.allows(target)) {
      return record(
          state,
          ConnectionResult.failed(
              target,
              "refused: "
                  + target
                  + " is not on the URL allow-list of Enabler "
                  + nafFqdn
                  + " "
                  + state.allowList()));
    }
    if (!state.hasKey()) {
      return record(
          state,
          ConnectionResult.failed(target, "the key of Enabler " + nafFqdn + " was invalidated"));
    }
    if (!clock.instant().isBefore(state.keyExpiry())) {
      return record(
          state,
          ConnectionResult.failed(
              target, "the key of Enabler " + nafFqdn + " expired at " + state.keyExpiry()));
    }
    String scheme = target.getScheme().toLowerCase(java.util.Locale.ROOT);
    if (!scheme.equals("coaps") && !scheme.equals("tls")) {
      return record(
          state,
          ConnectionResult.failed(
              target,
              "scheme '" + target.getScheme() + "' is not supported; use coaps:// or tls://"));
    }
    byte[] key = state.pskKey();
    try {
      DtlsPskChannel.Answer answer =
          scheme.equals("coaps")
              ? DtlsPskChannel.get(target, state.pskIdentity(), key, state.cipherSuites(), timeout)
              : TlsPskChannel.exchange(
                  target,
                  state.pskIdentity(),
                  key,
                  java.util.Arrays.equals(state.uaSecurityProtocolId(), TLS13_UA),
                  timeout,
                  "hello from " + state.pskIdentity());
      LOG.info(
          "Enabler {} at {} as {}: {}",
          nafFqdn,
          target,
          state.pskIdentity(),
          answer.success() ? "connected" : "failed");
      return record(
          state,
          answer.success()
              ? ConnectionResult.ok(target, answer.detail())
              : ConnectionResult.failed(target, answer.detail()));
    } finally {
      Arrays.fill(key, (byte) 0);
    }
  }

  private ConnectionResult record(EnablerSecurityState state, ConnectionResult result) {
    instances.connectionAttempted(state.instanceId(), result.asResourceValue());
    return result;
  }
}
