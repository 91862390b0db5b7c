package org.keyprov.server.bootstrap;

import java.util.List;
import org.eclipse.leshan.core.link.lwm2m.LwM2mLink;
import org.eclipse.leshan.core.response.BootstrapDiscoverResponse;
import org.eclipse.leshan.core.response.LwM2mResponse;
import org.eclipse.leshan.server.bootstrap.BootstrapConfigStoreTaskProvider;
import org.eclipse.leshan.server.bootstrap.BootstrapSession;
import org.keyprov.models.EnablerSecurityObject;

/**
 * Leshan's tasks from a {@link DmAccountConfigs} (Bootstrap-Discover, then the deletes and writes),
 * with an Access Control instance for every Enabler Security Parameters instance the discovery
 * found on the device: they stay the DM server's alone across a re-bootstrap.
 */
final class AccessControlTasks extends BootstrapConfigStoreTaskProvider {
  private final DmAccountConfigs configs;

  AccessControlTasks(DmAccountConfigs configs) {
    super(configs);
    this.configs = configs;
  }

  @Override
  public Tasks getTasks(BootstrapSession session, List<LwM2mResponse> previous) {
    if (previous != null
        && !previous.isEmpty()
        && previous.get(0) instanceof BootstrapDiscoverResponse discovered
        && discovered.isSuccess()) {
      configs.guard(session, enablerInstances(discovered.getObjectLinks()));
    }
    Tasks tasks = super.getTasks(session, previous);
    java.util.List<org.keyprov.keys.EnablerParameters> enablers = configs.enablers(session);
    if (tasks != null && tasks.requestsToSend != null && !enablers.isEmpty()) {
      tasks.supportedObjects.put(EnablerSecurityObject.ID, VERSION);
      for (int i = 0; i < enablers.size(); i++) {
        tasks.requestsToSend.add(
            new org.eclipse.leshan.core.request.BootstrapWriteRequest(
                new org.eclipse.leshan.core.node.LwM2mPath(EnablerSecurityObject.ID, i),
                org.keyprov.server.provisioning.EnablerInstances.toInstance(i, enablers.get(i)),
                session.getContentFormat()));
      }
    }
    return tasks;
  }

  /** The version of object 33001 this server and keyprov's clients share. */
  private static final String VERSION =
      org.keyprov.models.KeyprovModels.load().stream()
          .filter(m -> m.id == EnablerSecurityObject.ID)
          .findFirst()
          .orElseThrow()
          .version;

  private static List<Integer> enablerInstances(LwM2mLink[] links) {
    return java.util.Arrays.stream(links)
        .map(LwM2mLink::getPath)
        .filter(p -> p.isObjectInstance() && p.getObjectId() == EnablerSecurityObject.ID)
        .map(p -> p.getObjectInstanceId())
        .toList();
  }
}
