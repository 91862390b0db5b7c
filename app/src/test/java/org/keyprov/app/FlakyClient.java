package org.keyprov.app;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
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
import org.eclipse.leshan.client.resource.LwM2mObjectEnabler;
import org.eclipse.leshan.client.resource.ObjectEnabler;
import org.eclipse.leshan.client.resource.ObjectsInitializer;
import org.eclipse.leshan.client.resource.SimpleInstanceEnabler;
import org.eclipse.leshan.client.servers.LwM2mServer;
import org.eclipse.leshan.core.LwM2mId;
import org.eclipse.leshan.core.model.ObjectModel;
import org.eclipse.leshan.core.model.StaticModel;
import org.eclipse.leshan.core.node.LwM2mSingleResource;
import org.eclipse.leshan.core.request.ContentFormat;
import org.eclipse.leshan.core.request.ObserveRequest;
import org.eclipse.leshan.core.response.ObserveResponse;
import org.eclipse.leshan.core.response.WriteResponse;
import org.keyprov.models.EnablerSecurityObject;
import org.keyprov.models.KeyprovModels;

/**
 * A client with object 33001 whose first Create fails (5.00), as a device with a busy flash; or
 * whose first Observes of the object fail (5.00), as a device too busy to answer.
 */
final class FlakyClient {
  /** What the client counted, and a way to report a connection result as keyprov's client does. */
  record Counts(AtomicInteger creates, AtomicInteger observes, ObjectEnabler enablers) {
    void reportConnection(int instanceId, String result) {
      WriteResponse written =
          enablers
              .getInstance(instanceId)
              .write(
                  LwM2mServer.SYSTEM,
                  false,
                  EnablerSecurityObject.LAST_CONNECTION_RESULT,
                  LwM2mSingleResource.newStringResource(
                      EnablerSecurityObject.LAST_CONNECTION_RESULT, result));
      if (!written.isSuccess()) {
        throw new IllegalStateException("cannot set the result: " + written.getCode());
      }
    }
  }

  private FlakyClient() {}

  /** The first Create of a 33001 instance fails. */
  static AtomicInteger start(Harness h, String endpoint, String identity, byte[] psk) {
    return start(h, endpoint, identity, psk, true, 0).creates();
  }

  /** The first {@code failures} Observes of object 33001 fail. */
  static Counts refusingObserves(
      Harness h, String endpoint, String identity, byte[] psk, int failures) {
    return start(h, endpoint, identity, psk, false, failures);
  }

  private static Counts start(
      Harness h,
      String endpoint,
      String identity,
      byte[] psk,
      boolean failFirstCreate,
      int observeFailures) {
    AtomicInteger creates = new AtomicInteger();
    AtomicInteger observes = new AtomicInteger();
    StaticModel models = new StaticModel(KeyprovModels.loadWithDefaults());
    ObjectsInitializer initializer = new ObjectsInitializer(models);
    initializer.setInstancesForObject(
        LwM2mId.SECURITY,
        Security.psk(
            h.dm.coapsUri().toString(), 1, identity.getBytes(StandardCharsets.UTF_8), psk));
    initializer.setInstancesForObject(LwM2mId.SERVER, new Server(1, 300));
    initializer.setInstancesForObject(LwM2mId.DEVICE, new Device("flaky", "flaky", endpoint));
    BaseInstanceEnablerFactory factory =
        new BaseInstanceEnablerFactory() {
          @Override
          public LwM2mInstanceEnabler create() {
            return new SimpleInstanceEnabler();
          }

          @Override
          public LwM2mInstanceEnabler create(
              ObjectModel model, Integer id, Collection<Integer> alreadyUsedIdentifier) {
            if (creates.incrementAndGet() == 1 && failFirstCreate) {
              throw new IllegalStateException("flash busy");
            }
            return super.create(model, id, alreadyUsedIdentifier);
          }
        };
    ObjectModel model = models.getObjectModel(EnablerSecurityObject.ID);
    ObjectEnabler enablers =
        new ObjectEnabler(
            EnablerSecurityObject.ID, model, Map.of(), factory, ContentFormat.DEFAULT) {
          @Override
          protected ObserveResponse doObserve(LwM2mServer server, ObserveRequest request) {
            if (observes.incrementAndGet() <= observeFailures) {
              return ObserveResponse.internalServerError("busy");
            }
            return super.doObserve(server, request);
          }
        };
    List<LwM2mObjectEnabler> objects =
        new ArrayList<>(initializer.create(LwM2mId.SECURITY, LwM2mId.SERVER, LwM2mId.DEVICE));
    objects.add(enablers);
    LeshanClientBuilder builder = new LeshanClientBuilder(endpoint);
    builder.setObjects(objects);
    builder.setEndpointsProviders(
        new CaliforniumClientEndpointsProvider.Builder(new CoapsClientProtocolProvider()).build());
    LeshanClient client = builder.build();
    client.start();
    h.onClose(() -> client.destroy(true));
    return new Counts(creates, observes, enablers);
  }
}
