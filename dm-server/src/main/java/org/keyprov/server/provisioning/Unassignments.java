package org.keyprov.server.provisioning;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.leshan.core.request.DeleteRequest;
import org.eclipse.leshan.core.request.ReadRequest;
import org.eclipse.leshan.core.response.DeleteResponse;
import org.eclipse.leshan.core.response.ReadResponse;
import org.eclipse.leshan.server.LeshanServer;
import org.eclipse.leshan.server.registration.Registration;
import org.keyprov.models.EnablerSecurityObject;
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
  private final LeshanServer server;
  private final long requestTimeoutMs;

  Unassignments(LeshanServer server, long requestTimeoutMs) {
    this.server = server;
    this.requestTimeoutMs = requestTimeoutMs;
  }

  void add(String endpoint, String nafFqdn) {
    pending.computeIfAbsent(endpoint, e -> ConcurrentHashMap.newKeySet()).add(nafFqdn);
  }

  /**
   * Deletes the DM-written instances of the device's unassigned Enablers; what fails is kept for
   * the next pass. Call from the device's pass only.
   */
  void apply(Registration registration) throws InterruptedException {
    String endpoint = registration.getEndpoint();
    Set<String> fqdns = pending.remove(endpoint);
    if (fqdns == null || fqdns.isEmpty()) {
      return;
    }
    if (!registration.getSupportedObject().containsKey(EnablerSecurityObject.ID)) {
      return;
    }
    try {
      ReadResponse read =
          server.send(registration, new ReadRequest(EnablerSecurityObject.ID), requestTimeoutMs);
      if (read == null || !read.isSuccess()) {
        throw new IllegalStateException(read == null ? "no answer" : read.getCode().toString());
      }
      for (Existing e : EnablerInstances.parse(read.getContent())) {
        if (e.source() != EnablerSecurityObject.SOURCE_DM_SERVER
            || fqdns.stream().noneMatch(f -> f.equalsIgnoreCase(e.nafFqdn()))) {
          continue;
        }
        DeleteResponse deleted =
            server.send(
                registration,
                new DeleteRequest(EnablerSecurityObject.ID, e.instanceId()),
                requestTimeoutMs);
        if (deleted == null || !deleted.isSuccess()) {
          throw new IllegalStateException(
              "deleting instance "
                  + e.instanceId()
                  + ": "
                  + (deleted == null ? "no answer" : deleted.getCode()));
        }
        LOG.info(
            "{}: Enabler {} unassigned; instance {} deleted",
            endpoint,
            e.nafFqdn(),
            e.instanceId());
      }
    } catch (RuntimeException e) {
      LOG.warn(
          "{}: cannot delete the instances of unassigned Enablers {} yet: {}",
          endpoint,
          fqdns,
          e.getMessage());
      fqdns.forEach(f -> add(endpoint, f));
    }
  }
}
