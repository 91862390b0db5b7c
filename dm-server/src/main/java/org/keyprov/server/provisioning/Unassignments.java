package org.keyprov.server.provisioning;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.keyprov.models.EnablerSecurityObject;
import org.keyprov.server.provisioning.DeviceRequests.Answer;
import org.keyprov.server.provisioning.EnablerInstances.Existing;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Enablers taken off devices whose instances are still to be deleted on the device, kept until the
 * device's next provisioning pass (so an offline device loses them at its next registration, as
 * long as this server runs; its keys are revoked at the Key Manager anyway). Thread-safe.
 */
final class Unassignments {
  private static final Logger LOG = LoggerFactory.getLogger(Unassignments.class);

  private final Map<String, Set<String>> pending = new ConcurrentHashMap<>();
  private final DeviceRequests device;

  Unassignments(DeviceRequests device) {
    this.device = device;
  }

  void add(String endpoint, String nafFqdn) {
    pending.computeIfAbsent(endpoint, e -> ConcurrentHashMap.newKeySet()).add(nafFqdn);
  }

  /**
   * Deletes the DM-written instances of the device's unassigned Enablers; what fails is kept for
   * the next pass. Call from the device's pass only, for a device that implements the object.
   */
  void apply(String endpoint) throws InterruptedException {
    Set<String> fqdns = pending.remove(endpoint);
    if (fqdns == null || fqdns.isEmpty()) {
      return;
    }
    Answer<java.util.List<Existing>> read = device.readInstances(endpoint);
    String failure = read.failure();
    if (read.ok()) {
      for (Existing e : read.value()) {
        if (e.source() != EnablerSecurityObject.SOURCE_DM_SERVER
            || fqdns.stream().noneMatch(f -> f.equalsIgnoreCase(e.nafFqdn()))) {
          continue;
        }
        Answer<Void> deleted = device.delete(endpoint, e.instanceId());
        if (!deleted.ok()) {
          failure = deleted.failure();
          break;
        }
        LOG.info(
            "{}: Enabler {} unassigned; instance {} deleted",
            endpoint,
            e.nafFqdn(),
            e.instanceId());
      }
    }
    if (failure != null) {
      LOG.warn(
          "{}: cannot delete the instances of unassigned Enablers {} yet: {}",
          endpoint,
          fqdns,
          failure);
      fqdns.forEach(f -> add(endpoint, f));
    }
  }
}
