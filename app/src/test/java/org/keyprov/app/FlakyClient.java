package org.keyprov.app;

import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.leshan.client.LeshanClient;
import org.eclipse.leshan.client.LeshanClientBuilder;
import org.eclipse.leshan.client.californium.endpoint.CaliforniumClientEndpointsProvider;
import org.eclipse.leshan.client.californium.endpoint.coaps.CoapsClientProtocolProvider;
import org.eclipse.leshan.client.object.Device;
import org.eclipse.leshan.client.object.Security;
import org.eclipse.leshan.client.object.Server;
import org.eclipse.leshan.client.resource.BaseInstanceEnablerFactory;
import org.eclipse.leshan.client.resource.LwM2mInstanceEnabler;
import org.eclipse.leshan.client.resource.ObjectsInitializer;
import org.eclipse.leshan.client.resource.SimpleInstanceEnabler;
import org.eclipse.leshan.core.LwM2mId;
import org.eclipse.leshan.core.model.ObjectModel;
import org.eclipse.leshan.core.model.StaticModel;
import org.keyprov.models.EnablerSecurityObject;
import org.keyprov.models.KeyprovModels;

/** A client with object 33001 whose first Create fails (5.00), as a device with a busy flash. */
final class FlakyClient {
  private FlakyClient() {}

  static AtomicInteger start(Harness h, String endpoint, String identity, byte[] psk) {
    AtomicInteger creates = new AtomicInteger();
    ObjectsInitializer initializer =
        new ObjectsInitializer(new StaticModel(KeyprovModels.loadWithDefaults()));
    initializer.setInstancesForObject(
        LwM2mId.SECURITY,
        Security.psk(
            h.dm.coapsUri().toString(), 1, identity.getBytes(StandardCharsets.UTF_8), psk));
    initializer.setInstancesForObject(LwM2mId.SERVER, new Server(1, 300));
    initializer.setInstancesForObject(LwM2mId.DEVICE, new Device("flaky", "flaky", endpoint));
    initializer.setFactoryForObject(
        EnablerSecurityObject.ID,
        new BaseInstanceEnablerFactory() {
          @Override
          public LwM2mInstanceEnabler create() {
            return new SimpleInstanceEnabler();
          }

          @Override
          public LwM2mInstanceEnabler create(
              ObjectModel model, Integer id, Collection<Integer> alreadyUsedIdentifier) {
            if (creates.incrementAndGet() == 1) {
              throw new IllegalStateException("flash busy");
            }
            return super.create(model, id, alreadyUsedIdentifier);
          }
        });
    List<org.eclipse.leshan.client.resource.LwM2mObjectEnabler> objects =
        initializer.create(
            LwM2mId.SECURITY, LwM2mId.SERVER, LwM2mId.DEVICE, EnablerSecurityObject.ID);
    LeshanClientBuilder builder = new LeshanClientBuilder(endpoint);
    builder.setObjects(objects);
    builder.setEndpointsProviders(
        new CaliforniumClientEndpointsProvider.Builder(new CoapsClientProtocolProvider()).build());
    LeshanClient client = builder.build();
    client.start();
    h.onClose(() -> client.destroy(true));
    return creates;
  }
}
