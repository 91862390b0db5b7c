package org.keyprov.client;

import org.eclipse.leshan.client.resource.BaseInstanceEnabler;
import org.eclipse.leshan.client.servers.LwM2mServer;
import org.eclipse.leshan.core.response.ReadResponse;

/** A minimal Device object (3): manufacturer, model and binding, enough for servers and tools. */
final class DeviceInfo extends BaseInstanceEnabler {
  @Override
  public ReadResponse read(LwM2mServer server, int resourceId) {
    return switch (resourceId) {
      case 0 -> ReadResponse.success(resourceId, "keyprov");
      case 1 -> ReadResponse.success(resourceId, "keyprov-device");
      case 16 -> ReadResponse.success(resourceId, "U");
      default -> super.read(server, resourceId);
    };
  }

  @Override
  public java.util.List<Integer> getAvailableResourceIds(
      org.eclipse.leshan.core.model.ObjectModel model) {
    return java.util.List.of(0, 1, 16);
  }
}
