package org.keyprov.client.transport;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.californium.core.CoapClient;
import org.eclipse.californium.core.CoapResponse;
import org.eclipse.californium.core.coap.Request;
import org.eclipse.californium.core.config.CoapConfig;
import org.eclipse.californium.core.network.CoapEndpoint;
import org.eclipse.californium.elements.config.Configuration;
import org.eclipse.californium.elements.config.UdpConfig;
import org.eclipse.californium.elements.exception.ConnectorException;
import org.eclipse.californium.scandium.DTLSConnector;
import org.eclipse.californium.scandium.config.DtlsConfig;
import org.eclipse.californium.scandium.config.DtlsConfig.DtlsRole;
import org.eclipse.californium.scandium.config.DtlsConnectorConfig;
import org.eclipse.californium.scandium.dtls.cipher.CipherSuite;
import org.eclipse.californium.scandium.dtls.pskstore.AdvancedSinglePskStore;

/**
 * One CoAP GET over a fresh DTLS-PSK session (Scandium): the device side of the Enabler handshake.
 * Each call makes its own connector, so keys never outlive the call.
 */
public final class DtlsPskChannel {
  static {
    CoapConfig.register();
    UdpConfig.register();
    DtlsConfig.register();
  }

  /** What the Enabler answered: a CoAP code and payload, or why nothing came back. */
  public record Answer(boolean success, String detail) {}

  private DtlsPskChannel() {}

  public static Answer get(
      URI target, String identity, byte[] key, List<Integer> cipherSuites, Duration timeout) {
    Configuration config = Configuration.createStandardWithoutFile();
    config.set(DtlsConfig.DTLS_ROLE, DtlsRole.CLIENT_ONLY);
    config.set(DtlsConfig.DTLS_RECOMMENDED_CIPHER_SUITES_ONLY, false);
    config.set(DtlsConfig.DTLS_CIPHER_SUITES, suites(cipherSuites));
    config.set(DtlsConfig.DTLS_MAX_RETRANSMISSIONS, 2);
    DtlsConnectorConfig dtls =
        DtlsConnectorConfig.builder(config)
            .setAddress(new InetSocketAddress(0))
            .setAdvancedPskStore(new AdvancedSinglePskStore(identity, key))
            .build();
    CoapEndpoint endpoint =
        new CoapEndpoint.Builder()
            .setConfiguration(config)
            .setConnector(new DTLSConnector(dtls))
            .build();
    CoapClient client = new CoapClient(target);
    try {
      client.setEndpoint(endpoint);
      client.setTimeout(timeout.toMillis());
      Request request = Request.newGet();
      request.setURI(target);
      CoapResponse response = client.advanced(request);
      if (response == null) {
        Throwable error = request.getSendError();
        return new Answer(
            false,
            error == null
                ? "no answer from " + target + " (DTLS handshake refused or timed out)"
                : "DTLS handshake with " + target + " failed: " + error.getMessage());
      }
      String payload = new String(response.getPayload(), StandardCharsets.UTF_8);
      return new Answer(
          response.isSuccess(),
          response.getCode() + " " + response.getCode().name() + " " + payload);
    } catch (ConnectorException | IOException e) {
      return new Answer(false, "cannot reach " + target + ": " + e.getMessage());
    } finally {
      client.shutdown();
      endpoint.destroy();
    }
  }

  private static List<CipherSuite> suites(List<Integer> codes) {
    List<CipherSuite> suites = new ArrayList<>();
    for (int code : codes) {
      CipherSuite suite = CipherSuite.getTypeByCode(code);
      if (suite != null && suite.isPskBased() && suite.isSupported()) {
        suites.add(suite);
      }
    }
    if (suites.isEmpty()) {
      suites.add(CipherSuite.TLS_PSK_WITH_AES_128_CCM_8);
    }
    return suites;
  }
}
