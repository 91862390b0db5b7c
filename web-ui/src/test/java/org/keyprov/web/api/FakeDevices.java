package org.keyprov.web.api;

import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.keyprov.server.DeviceDirectory;
import org.keyprov.server.provisioning.ProvisioningListener;

/** A DM server without Leshan: registered endpoints are a set, provisioning nudges a list. */
final class FakeDevices implements DeviceDirectory {
  final Set<String> registered = ConcurrentHashMap.newKeySet();
  final List<String> nudged = new CopyOnWriteArrayList<>();
  final List<ProvisioningListener> listeners = new CopyOnWriteArrayList<>();

  @Override
  public boolean isRegistered(String endpoint) {
    return registered.contains(endpoint);
  }

  @Override
  public long registeredCount() {
    return registered.size();
  }

  @Override
  public void provisionNow(String endpoint) {
    nudged.add(endpoint);
  }

  @Override
  public void addListener(ProvisioningListener listener) {
    listeners.add(listener);
  }
}
