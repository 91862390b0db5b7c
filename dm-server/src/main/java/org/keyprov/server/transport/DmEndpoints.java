package org.keyprov.server.transport;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;
import org.eclipse.californium.scandium.DtlsHealth;
import org.eclipse.californium.scandium.config.DtlsConfig;
import org.eclipse.leshan.core.endpoint.Protocol;
import org.eclipse.leshan.server.californium.endpoint.CaliforniumServerEndpointsProvider;
import org.eclipse.leshan.server.californium.endpoint.ServerProtocolProvider;
import org.eclipse.leshan.server.californium.endpoint.coap.CoapServerProtocolProvider;
import org.eclipse.leshan.server.californium.endpoint.coaps.CoapsServerEndpointFactoryBuilder;
import org.eclipse.leshan.server.californium.endpoint.coaps.CoapsServerProtocolProvider;
import org.eclipse.leshan.server.endpoint.LwM2mServerEndpointsProvider;

/**
 * The DM server's endpoints on Californium and Scandium: CoAP over DTLS-PSK always, plain CoAP only
 * when given an address. The only place the DM server touches Californium.
 */
public final class DmEndpoints {
  private DmEndpoints() {}

  /**
   * @param coaps where DTLS-PSK listens
   * @param coap where plain CoAP listens, or null for none
   * @param dtlsSessions the most DTLS sessions kept (Scandium's {@code DTLS_MAX_CONNECTIONS})
   * @param wrongKey hears (PSK identity, reason) once for each handshake whose client proved
   *     another key than the one its identity has
   * @param health hears the handshakes' outcomes and, every 2 s, how many sessions are kept (may be
   *     null)
   */
  public static LwM2mServerEndpointsProvider californium(
      InetSocketAddress coaps,
      InetSocketAddress coap,
      int dtlsSessions,
      BiConsumer<String, String> wrongKey,
      DtlsHealth health) {
    List<ServerProtocolProvider> protocols = new ArrayList<>();
    protocols.add(new CoapsServerProtocolProvider());
    if (coap != null) {
      protocols.add(new CoapServerProtocolProvider());
    }
    CaliforniumServerEndpointsProvider.Builder endpoints =
        new CaliforniumServerEndpointsProvider.Builder(
            protocols.toArray(new ServerProtocolProvider[0]));
    WrongKeyDetector detector = new WrongKeyDetector(wrongKey);
    endpoints.addEndpoint(
        new CoapsServerEndpointFactoryBuilder()
            .setURI(coaps)
            .setDtlsConnectorConfig(
                dtls ->
                    dtls.setConnectionListener(detector)
                        .setHealthHandler(health)
                        .set(DtlsConfig.DTLS_MAX_CONNECTIONS, dtlsSessions))
            .build());
    if (coap != null) {
      endpoints.addEndpoint(coap, Protocol.COAP);
    }
    return endpoints.build();
  }
}
