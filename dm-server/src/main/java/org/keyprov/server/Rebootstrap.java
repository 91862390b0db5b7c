package org.keyprov.server;

import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.function.Function;
import org.eclipse.leshan.server.registration.Registration;

/**
 * Asks devices to bootstrap again (Execute on their Server object's Bootstrap-Request Trigger,
 * /1/x/9): how a DM PSK is rotated. Now, for a device that is registered, or right after its next
 * registration with the DM PSK due for rotation ({@link #due}).
 */
final class Rebootstrap {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Rebootstrap.class);

  private final Function<String, Optional<Registration>> registrations;
  private final ObjectBrowser.Sender sender;
  private final Executor workers;

  /** Devices whose registration just used a DM PSK due for rotation. */
  private final Set<String> due = ConcurrentHashMap.newKeySet();

  Rebootstrap(
      Function<String, Optional<Registration>> registrations,
      ObjectBrowser.Sender sender,
      Executor workers) {
    this.registrations = registrations;
    this.sender = sender;
    this.workers = workers;
  }

  /** The device's registration in progress used a DM PSK due for rotation. */
  void due(String endpoint) {
    due.add(endpoint);
  }

  /** In the background; false if the device is not registered. */
  boolean now(String endpoint) {
    Optional<Registration> registration = registrations.apply(endpoint);
    if (registration.isEmpty()) {
      return false;
    }
    workers.execute(() -> requestBootstrap(registration.get()));
    return true;
  }

  private void requestBootstrap(Registration registration) {
    String endpoint = registration.getEndpoint();
    // the device's Server instance of this DM server: keyprov's client and the bootstrap server
    // give it one; a device with several lists the lowest first
    int instance =
        registration.getAvailableInstances().stream()
            .filter(p -> p.getObjectId() == org.eclipse.leshan.core.LwM2mId.SERVER)
            .mapToInt(org.eclipse.leshan.core.node.LwM2mPath::getObjectInstanceId)
            .min()
            .orElse(0);
    try {
      org.eclipse.leshan.core.response.ExecuteResponse response =
          sender.send(endpoint, new org.eclipse.leshan.core.request.ExecuteRequest(1, instance, 9));
      if (response.isSuccess()) {
        LOG.info("{}: asked to bootstrap again for a new DM PSK", endpoint);
      } else {
        LOG.warn(
            "{}: refused to bootstrap again ({} {}); its DM PSK is not rotated",
            endpoint,
            response.getCode(),
            response.getErrorMessage());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      LOG.warn("{}: could not be asked to bootstrap again: {}", endpoint, e.getMessage());
    }
  }

  /** After a registration that used a DM PSK due for rotation: asks the device to bootstrap. */
  org.eclipse.leshan.server.registration.RegistrationListener listener() {
    return new RotationTrigger();
  }

  private final class RotationTrigger
      implements org.eclipse.leshan.server.registration.RegistrationListener {
    @Override
    public void registered(
        Registration registration,
        Registration previous,
        java.util.Collection<org.eclipse.leshan.core.observation.Observation> observations) {
      if (due.remove(registration.getEndpoint())) {
        now(registration.getEndpoint());
      }
    }

    @Override
    public void updated(
        org.eclipse.leshan.server.registration.RegistrationUpdate update,
        Registration updated,
        Registration previous) {
      if (due.remove(updated.getEndpoint())) {
        now(updated.getEndpoint());
      }
    }

    @Override
    public void unregistered(
        Registration registration,
        java.util.Collection<org.eclipse.leshan.core.observation.Observation> observations,
        boolean expired,
        Registration replacement) {}
  }
}
