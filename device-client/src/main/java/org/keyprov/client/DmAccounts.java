package org.keyprov.client;

import java.net.URI;
import java.util.List;
import org.eclipse.leshan.client.LeshanClient;
import org.eclipse.leshan.client.LeshanClientBuilder;
import org.eclipse.leshan.client.californium.endpoint.CaliforniumClientEndpointsProvider;
import org.eclipse.leshan.client.object.Device;
import org.eclipse.leshan.client.object.Security;
import org.eclipse.leshan.client.object.Server;
import org.eclipse.leshan.client.resource.ObjectsInitializer;
import org.eclipse.leshan.client.servers.LwM2mServer;
import org.eclipse.leshan.core.LwM2mId;
import org.eclipse.leshan.core.model.StaticModel;
import org.keyprov.client.object.AccessControl;
import org.keyprov.client.object.DmAccount;
import org.keyprov.client.object.EnablerSecurityInstances;
import org.keyprov.client.object.GuardedObjects;
import org.keyprov.models.EnablerSecurityObject;
import org.keyprov.models.KeyprovModels;

/**
 * The device's LwM2M server accounts beyond a flashed DM PSK: the bootstrap account and the DM
 * server account a bootstrap server wrote, and a second LwM2M server's.
 */
final class DmAccounts {
  private DmAccounts() {}

  /**
   * The bootstrap account, and the DM server account a bootstrap server gave on an earlier run if
   * the state file has one: the device registers with it at once, and bootstraps again only when
   * that fails (or when the DM server asks, to rotate the DM PSK).
   */
  static void install(
      ObjectsInitializer initializer,
      DmAccount factory,
      java.util.Optional<DmAccount> rewritten,
      java.util.Optional<DmAccount> kept) {
    // a factory credential the bootstrap server has since replaced no longer works
    DmAccount bootstrap = rewritten.orElse(factory);
    byte[] bsKey = bootstrap.key();
    List<org.eclipse.leshan.client.resource.LwM2mInstanceEnabler> security =
        new java.util.ArrayList<>();
    security.add(
        Security.pskBootstrap(
            bootstrap.uri(),
            bootstrap.identity().getBytes(java.nio.charset.StandardCharsets.UTF_8),
            bsKey));
    java.util.Arrays.fill(bsKey, (byte) 0);
    if (kept.isPresent()) {
      DmAccount a = kept.get();
      byte[] key = a.key();
      security.add(
          Security.psk(
              a.uri(),
              a.shortServerId(),
              a.identity().getBytes(java.nio.charset.StandardCharsets.UTF_8),
              key));
      java.util.Arrays.fill(key, (byte) 0);
      initializer.setInstancesForObject(
          LwM2mId.SERVER, new Server(a.shortServerId(), a.lifetime()));
    } else {
      initializer.setClassForObject(LwM2mId.SERVER, Server.class);
    }
    initializer.setInstancesForObject(
        LwM2mId.SECURITY,
        security.toArray(new org.eclipse.leshan.client.resource.LwM2mInstanceEnabler[0]));
  }

  /**
   * The device's registration with another LwM2M server over plain CoAP, on a Leshan engine of its
   * own (Leshan's registers with one DM server each): the Device object of its own, the Access
   * Control and Enabler Security Parameters objects shared — so that server meets Access Control.
   */
  static LeshanClient otherServer(
      String endpoint,
      URI uri,
      int shortServerId,
      java.time.Duration lifetime,
      AccessControl access,
      EnablerSecurityInstances instances) {
    ObjectsInitializer objects =
        new GuardedObjects(
            new StaticModel(KeyprovModels.loadWithDefaults()), access, EnablerSecurityObject.ID);
    objects.setInstancesForObject(LwM2mId.SECURITY, Security.noSec(uri.toString(), shortServerId));
    objects.setInstancesForObject(LwM2mId.SERVER, new Server(shortServerId, lifetime.toSeconds()));
    objects.setInstancesForObject(
        LwM2mId.DEVICE, new Device("keyprov", "keyprov-device", endpoint));
    access.registerWith(objects);
    instances.registerWith(objects);
    LeshanClientBuilder builder = new LeshanClientBuilder(endpoint);
    builder.setObjects(objects.createAll());
    builder.setEndpointsProviders(
        new CaliforniumClientEndpointsProvider.Builder(
                new org.eclipse.leshan.client.californium.endpoint.coap
                    .CoapClientProtocolProvider())
            .build());
    return builder.build();
  }

  /** Object {@code id} as the device itself reads it (keys included). */
  private static org.eclipse.leshan.core.node.LwM2mObject readObject(
      org.eclipse.leshan.client.resource.LwM2mObjectTree tree, int id) {
    return (org.eclipse.leshan.core.node.LwM2mObject)
        tree.getObjectEnabler(id)
            .read(LwM2mServer.SYSTEM, new org.eclipse.leshan.core.request.ReadRequest(id))
            .getContent();
  }

  /** The bootstrap account in {@code tree} (as a bootstrap server may have rewritten it). */
  static java.util.Optional<DmAccount> readBootstrap(
      org.eclipse.leshan.client.resource.LwM2mObjectTree tree) {
    for (org.eclipse.leshan.core.node.LwM2mObjectInstance i :
        readObject(tree, LwM2mId.SECURITY).getInstances().values()) {
      if (Boolean.TRUE.equals(i.getResource(LwM2mId.SEC_BOOTSTRAP).getValue())) {
        return java.util.Optional.of(
            new DmAccount(
                (String) i.getResource(LwM2mId.SEC_SERVER_URI).getValue(),
                0,
                new String(
                    (byte[]) i.getResource(LwM2mId.SEC_PUBKEY_IDENTITY).getValue(),
                    java.nio.charset.StandardCharsets.UTF_8),
                (byte[]) i.getResource(LwM2mId.SEC_SECRET_KEY).getValue(),
                0));
      }
    }
    return java.util.Optional.empty();
  }

  /** The DM server account a bootstrap wrote to {@code tree}, if it wrote one. */
  static java.util.Optional<DmAccount> read(
      org.eclipse.leshan.client.resource.LwM2mObjectTree tree) {
    org.eclipse.leshan.core.node.LwM2mObject security = readObject(tree, LwM2mId.SECURITY);
    org.eclipse.leshan.core.node.LwM2mObject servers = readObject(tree, LwM2mId.SERVER);
    for (org.eclipse.leshan.core.node.LwM2mObjectInstance i : security.getInstances().values()) {
      if (Boolean.TRUE.equals(i.getResource(LwM2mId.SEC_BOOTSTRAP).getValue())) {
        continue;
      }
      int ssid = ((Long) i.getResource(LwM2mId.SEC_SERVER_ID).getValue()).intValue();
      long lifetime =
          servers.getInstances().values().stream()
              .filter(s -> ((Long) s.getResource(LwM2mId.SRV_SERVER_ID).getValue()) == ssid)
              .map(s -> (Long) s.getResource(LwM2mId.SRV_LIFETIME).getValue())
              .findFirst()
              .orElse(300L);
      byte[] key = (byte[]) i.getResource(LwM2mId.SEC_SECRET_KEY).getValue();
      return java.util.Optional.of(
          new DmAccount(
              (String) i.getResource(LwM2mId.SEC_SERVER_URI).getValue(),
              ssid,
              new String(
                  (byte[]) i.getResource(LwM2mId.SEC_PUBKEY_IDENTITY).getValue(),
                  java.nio.charset.StandardCharsets.UTF_8),
              key,
              lifetime));
    }
    return java.util.Optional.empty();
  }
}
