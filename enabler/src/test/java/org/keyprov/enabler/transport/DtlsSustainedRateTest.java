package org.keyprov.enabler.transport;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import javax.crypto.SecretKey;
import org.eclipse.californium.core.coap.Request;
import org.eclipse.californium.core.coap.Response;
import org.eclipse.californium.core.network.CoapEndpoint;
import org.eclipse.californium.elements.config.Configuration;
import org.eclipse.californium.scandium.DTLSConnector;
import org.eclipse.californium.scandium.config.DtlsConfig;
import org.eclipse.californium.scandium.config.DtlsConnectorConfig;
import org.eclipse.californium.scandium.dtls.ConnectionId;
import org.eclipse.californium.scandium.dtls.HandshakeResultHandler;
import org.eclipse.californium.scandium.dtls.PskPublicInformation;
import org.eclipse.californium.scandium.dtls.PskSecretResult;
import org.eclipse.californium.scandium.dtls.cipher.CipherSuite;
import org.eclipse.californium.scandium.dtls.pskstore.AdvancedPskStore;
import org.eclipse.californium.scandium.util.SecretUtil;
import org.eclipse.californium.scandium.util.ServerNames;
import org.junit.jupiter.api.Test;
import org.keyprov.enabler.Enabler;
import org.keyprov.enabler.lookup.StaticPskTable;
import org.keyprov.keys.gba.NafId;
import org.keyprov.keys.gba.UaSecurityProtocolId;

/**
 * Scandium counts every new handshake of the last ~140 s against its connection limit and drops new
 * CLIENT_HELLOs at the cap, so a limit sized for a shorter window (e.g. the 60 s stale threshold)
 * stalls an Enabler under sustained load after a minute. This drives full handshakes at exactly the
 * configured rate for longer than Scandium's window and requires every one to succeed.
 */
class DtlsSustainedRateTest {
  private static final String IDENTITY = "AAAAAAAAAAAAAAAAAAAAAA==@km.test";
  private static final byte[] KEY = new byte[16];
  private static final int RATE = 4;
  private static final Duration DRIVEN = Duration.ofSeconds(145);

  @Test
  void full_handshakes_at_the_configured_rate_never_stall_past_scandiums_window() throws Exception {
    StaticPskTable table =
        new StaticPskTable().put(IDENTITY, KEY, Instant.now().plus(Duration.ofDays(1)));
    NafId naf = new NafId("rate.enabler.test", UaSecurityProtocolId.omaPskTls(0xC0A8));
    try (Enabler enabler =
            Enabler.builder()
                .nafId(naf)
                .lookup(table)
                .coapsAddress(new InetSocketAddress("127.0.0.1", 0))
                .dtlsHandshakesPerSecond(RATE)
                .build();
        Client client = new Client()) {
      enabler.start();
      List<String> failures = new ArrayList<>();
      long start = System.nanoTime();
      long period = TimeUnit.SECONDS.toNanos(1) / RATE;
      long handshakes = DRIVEN.toSeconds() * RATE;
      for (long i = 0; i < handshakes && failures.size() < 3; i++) {
        long due = start + i * period;
        LockSupport.parkNanos(due - System.nanoTime()); // pacing: one handshake per period
        String answer = client.freshHandshakeAndGet(enabler.coapsUri() + "/whoami");
        if (!("identity=" + IDENTITY).equals(answer)) {
          failures.add(
              String.format(
                  "handshake %d at %.1f s: %s", i, (System.nanoTime() - start) / 1e9, answer));
        }
      }
      assertThat(failures).as("handshakes refused or unanswered").isEmpty();
    }
  }

  /** One Scandium client that forgets its session before each request: a full handshake each. */
  private static final class Client implements AutoCloseable {
    private final DTLSConnector connector;
    private final CoapEndpoint endpoint;

    Client() throws java.io.IOException {
      Configuration config = Configuration.createStandardWithoutFile();
      config.set(DtlsConfig.DTLS_ROLE, DtlsConfig.DtlsRole.CLIENT_ONLY);
      config.set(DtlsConfig.DTLS_RECOMMENDED_CIPHER_SUITES_ONLY, false);
      config.set(DtlsConfig.DTLS_CIPHER_SUITES, List.of(CipherSuite.TLS_PSK_WITH_AES_128_CCM_8));
      config.set(DtlsConfig.DTLS_MAX_RETRANSMISSIONS, 1);
      connector =
          new DTLSConnector(
              DtlsConnectorConfig.builder(config)
                  .setAddress(new InetSocketAddress("127.0.0.1", 0))
                  .setAdvancedPskStore(new OnePsk())
                  .build());
      endpoint =
          new CoapEndpoint.Builder().setConfiguration(config).setConnector(connector).build();
      endpoint.start();
    }

    String freshHandshakeAndGet(String uri) throws InterruptedException {
      connector.clearConnectionState();
      Request request = Request.newGet();
      request.setURI(uri);
      Response response = request.send(endpoint).waitForResponse(5_000);
      if (response == null) {
        return "no answer in 5 s (handshake dropped)";
      }
      return response.getPayloadString();
    }

    @Override
    public void close() {
      endpoint.destroy();
    }
  }

  private static final class OnePsk implements AdvancedPskStore {
    @Override
    public boolean hasEcdhePskSupported() {
      return false;
    }

    @Override
    public PskSecretResult requestPskSecretResult(
        ConnectionId cid,
        ServerNames serverName,
        PskPublicInformation identity,
        String hmacAlgorithm,
        SecretKey otherSecret,
        byte[] seed,
        boolean useExtendedMasterSecret) {
      return new PskSecretResult(cid, identity, SecretUtil.create(KEY.clone(), "PSK"));
    }

    @Override
    public PskPublicInformation getIdentity(
        InetSocketAddress peerAddress, ServerNames virtualHost) {
      return new PskPublicInformation(IDENTITY);
    }

    @Override
    public void setResultHandler(HandshakeResultHandler resultHandler) {}
  }
}
