package org.keyprov.server.transport;

import java.net.InetSocketAddress;
import java.util.function.BiConsumer;
import org.eclipse.leshan.server.bootstrap.endpoint.LwM2mBootstrapServerEndpointsProvider;
import org.eclipse.leshan.server.californium.bootstrap.endpoint.CaliforniumBootstrapServerEndpointsProvider;
import org.eclipse.leshan.server.californium.bootstrap.endpoint.coaps.CoapsBootstrapServerEndpointFactoryBuilder;
import org.eclipse.leshan.server.californium.bootstrap.endpoint.coaps.CoapsBootstrapServerProtocolProvider;

/**
 * The bootstrap server's endpoint on Californium and Scandium: CoAP over DTLS-PSK only (a factory
 * credential is a secret; plain CoAP would hand DM PSKs to anyone listening).
 */
public final class BootstrapEndpoints {
  private BootstrapEndpoints() {}

  /**
   * @param coaps where DTLS-PSK listens
   * @param wrongKey hears (PSK identity, reason) once for each handshake whose client proved
   *     another key than its factory credential's
   */
  public static LwM2mBootstrapServerEndpointsProvider californium(
      InetSocketAddress coaps, BiConsumer<String, String> wrongKey) {
    WrongKeyDetector detector =
        new WrongKeyDetector(
            wrongKey,
            "the device's Finished failed its MAC check: its bootstrap PSK is not the factory"
                + " credential the Key Manager holds");
    return new CaliforniumBootstrapServerEndpointsProvider.Builder(
            new CoapsBootstrapServerProtocolProvider())
        .addEndpoint(
            new CoapsBootstrapServerEndpointFactoryBuilder()
                .setURI(coaps)
                .setDtlsConnectorConfig(dtls -> dtls.setConnectionListener(detector))
                .build())
        .build();
  }
}
