package org.keyprov.enabler.transport;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.Principal;
import java.util.List;
import org.eclipse.californium.core.CoapResource;
import org.eclipse.californium.core.CoapServer;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.coap.MediaTypeRegistry;
import org.eclipse.californium.core.config.CoapConfig;
import org.eclipse.californium.core.network.CoapEndpoint;
import org.eclipse.californium.core.server.resources.CoapExchange;
import org.eclipse.californium.elements.auth.PreSharedKeyIdentity;
import org.eclipse.californium.elements.config.Configuration;
import org.eclipse.californium.elements.config.UdpConfig;
import org.eclipse.californium.scandium.DTLSConnector;
import org.eclipse.californium.scandium.config.DtlsConfig;
import org.eclipse.californium.scandium.config.DtlsConfig.DtlsRole;
import org.eclipse.californium.scandium.config.DtlsConnectorConfig;
import org.eclipse.californium.scandium.dtls.cipher.CipherSuite;
import org.keyprov.enabler.lookup.KeyResolver;

/**
 * The Enabler's CoAPs (DTLS-PSK) endpoint with one resource, {@code /whoami}, that answers with the
 * PSK identity the handshake authenticated.
 */
public final class CoapsEndpoint implements AutoCloseable {
  static {
    CoapConfig.register();
    UdpConfig.register();
    DtlsConfig.register();
  }

  /** PSK suites offered: the LwM2M suite first, then AEAD and CBC ones, plain and ECDHE. */
  static final List<CipherSuite> SUITES =
      List.of(
          CipherSuite.TLS_PSK_WITH_AES_128_CCM_8,
          CipherSuite.TLS_PSK_WITH_AES_128_GCM_SHA256,
          CipherSuite.TLS_PSK_WITH_AES_128_CCM,
          CipherSuite.TLS_PSK_WITH_AES_128_CBC_SHA256,
          CipherSuite.TLS_ECDHE_PSK_WITH_AES_128_GCM_SHA256,
          CipherSuite.TLS_ECDHE_PSK_WITH_AES_128_CBC_SHA256);

  private final CoapServer server;
  private final DTLSConnector connector;

  /**
   * Seconds over which Scandium 3.12 counts new handshakes against {@code DTLS_MAX_CONNECTIONS}: it
   * remembers each one for twice its cookie lifetime plus 15 s (135 s, so that a repeated
   * CLIENT_HELLO is not taken for a new one) and forgets them in a sweep every 5 s; at the cap it
   * answers every new CLIENT_HELLO with only a HelloVerifyRequest, so no handshake starts. 10 s
   * more of headroom for bursts.
   */
  static final int RECENT_HANDSHAKE_WINDOW_SECONDS = 135 + 5 + 10;

  /** Idle time after which a connection may make room for a new one in a full store. */
  static final long STALE_CONNECTION_SECONDS = 60;

  /** The {@code DTLS_MAX_CONNECTIONS} that sustains {@code handshakesPerSecond} without a stall. */
  public static int maxConnectionsFor(int handshakesPerSecond) {
    if (handshakesPerSecond < 1) {
      throw new IllegalArgumentException(
          "the DTLS handshake rate must be at least 1/s, not " + handshakesPerSecond);
    }
    return Math.toIntExact(
        Math.max(50L, (long) handshakesPerSecond * RECENT_HANDSHAKE_WINDOW_SECONDS));
  }

  /**
   * Keys come from {@code resolver}; {@code handoff} runs Scandium's result handler when an answer
   * arrives on a DTLS thread. New full handshakes are accepted at up to {@code
   * handshakesPerSecond}, sustained.
   */
  public CoapsEndpoint(
      InetSocketAddress address,
      KeyResolver resolver,
      java.util.concurrent.Executor handoff,
      int handshakesPerSecond) {
    KeyManagerPskStore pskStore = new KeyManagerPskStore(resolver, handoff);
    Configuration config = Configuration.createStandardWithoutFile();
    config.set(DtlsConfig.DTLS_MAX_CONNECTIONS, maxConnectionsFor(handshakesPerSecond));
    config.set(
        DtlsConfig.DTLS_STALE_CONNECTION_THRESHOLD,
        STALE_CONNECTION_SECONDS,
        java.util.concurrent.TimeUnit.SECONDS);
    // A device opens a new connection (new port) for each session and never resumes, so without
    // this every ended session stayed in the store until it was full: heap grew with the handshake
    // count. Scandium drops a connection once a newer one of the same PSK identity exists and it
    // has been idle for the stale threshold (checked every 5 s, above 1,024 connections).
    config.set(DtlsConfig.DTLS_READ_WRITE_LOCK_CONNECTION_STORE, true);
    config.set(DtlsConfig.DTLS_REMOVE_STALE_DOUBLE_PRINCIPALS, true);
    // /whoami is a safe, idempotent GET, so a retransmitted request may be answered again: without
    // this, CoAP kept every exchange for its 247 s lifetime, ~700,000 of them (~1.4 GiB) at
    // 3,000 handshakes/s
    config.set(CoapConfig.DEDUPLICATOR, CoapConfig.NO_DEDUPLICATOR);
    config.set(DtlsConfig.DTLS_ROLE, DtlsRole.SERVER_ONLY);
    config.set(DtlsConfig.DTLS_RECOMMENDED_CIPHER_SUITES_ONLY, false);
    config.set(DtlsConfig.DTLS_CIPHER_SUITES, SUITES);
    RefusingDtlsConnector dtls =
        RefusingDtlsConnector.create(
            DtlsConnectorConfig.builder(config)
                .setAddress(address)
                .setAdvancedPskStore(pskStore)
                .setConnectionListener(new WrongKeyDetector(resolver::handshakeFailed)));
    pskStore.refuseThrough(dtls);
    this.connector = dtls;
    this.server = new CoapServer(config);
    server.addEndpoint(
        new CoapEndpoint.Builder().setConfiguration(config).setConnector(connector).build());
    server.add(new WhoAmI());
  }

  public void start() {
    server.start();
  }

  public InetSocketAddress address() {
    return connector.getAddress();
  }

  @Override
  public void close() {
    server.destroy();
  }

  private static final class WhoAmI extends CoapResource {
    WhoAmI() {
      super("whoami");
      getAttributes().setTitle("the PSK identity of this DTLS session");
    }

    @Override
    public void handleGET(CoapExchange exchange) {
      Principal peer = exchange.advanced().getRequest().getSourceContext().getPeerIdentity();
      if (!(peer instanceof PreSharedKeyIdentity psk)) {
        exchange.respond(ResponseCode.UNAUTHORIZED, "no PSK identity on this session");
        return;
      }
      exchange.respond(
          ResponseCode.CONTENT,
          ("identity=" + psk.getIdentity()).getBytes(StandardCharsets.UTF_8),
          MediaTypeRegistry.TEXT_PLAIN);
    }
  }
}
