package org.keyprov.app;

import java.nio.charset.StandardCharsets;
import org.eclipse.leshan.client.LeshanClient;
import org.eclipse.leshan.client.LeshanClientBuilder;
import org.eclipse.leshan.client.californium.endpoint.CaliforniumClientEndpointsProvider;
import org.eclipse.leshan.client.californium.endpoint.coaps.CoapsClientProtocolProvider;
import org.eclipse.leshan.client.object.Device;
import org.eclipse.leshan.client.object.Security;
import org.eclipse.leshan.client.object.Server;
import org.eclipse.leshan.client.resource.ObjectsInitializer;
import org.eclipse.leshan.core.LwM2mId;

/** A plain Leshan client that knows nothing of keyprov's object: a device without support. */
final class LegacyClient {
  private LegacyClient() {}

  static LeshanClient start(Harness h, String endpoint, String identity, byte[] psk) {
    ObjectsInitializer initializer = new ObjectsInitializer();
    initializer.setInstancesForObject(
        LwM2mId.SECURITY,
        Security.psk(
            h.dm.coapsUri().toString(), 1, identity.getBytes(StandardCharsets.UTF_8), psk));
    initializer.setInstancesForObject(LwM2mId.SERVER, new Server(1, 300));
    initializer.setInstancesForObject(LwM2mId.DEVICE, new Device("legacy", "legacy", endpoint));
    LeshanClientBuilder builder = new LeshanClientBuilder(endpoint);
    builder.setObjects(initializer.create(LwM2mId.SECURITY, LwM2mId.SERVER, LwM2mId.DEVICE));
    builder.setEndpointsProviders(
        new CaliforniumClientEndpointsProvider.Builder(new CoapsClientProtocolProvider()).build());
    LeshanClient client = builder.build();
    client.start();
    h.onClose(() -> client.destroy(true));
    return client;
  }
}
