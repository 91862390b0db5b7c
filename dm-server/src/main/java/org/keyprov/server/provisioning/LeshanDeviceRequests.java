package org.keyprov.server.provisioning;

import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.eclipse.leshan.core.ResponseCode;
import org.eclipse.leshan.core.node.LwM2mObjectInstance;
import org.eclipse.leshan.core.request.CreateRequest;
import org.eclipse.leshan.core.request.DeleteRequest;
import org.eclipse.leshan.core.request.DownlinkRequest;
import org.eclipse.leshan.core.request.ObserveRequest;
import org.eclipse.leshan.core.request.ReadRequest;
import org.eclipse.leshan.core.request.WriteRequest;
import org.eclipse.leshan.core.request.WriteRequest.Mode;
import org.eclipse.leshan.core.request.exception.TimeoutException;
import org.eclipse.leshan.core.response.LwM2mResponse;
import org.eclipse.leshan.core.response.ReadResponse;
import org.eclipse.leshan.server.LeshanServer;
import org.eclipse.leshan.server.registration.Registration;
import org.keyprov.keys.EnablerParameters;
import org.keyprov.models.EnablerSecurityObject;
import org.keyprov.server.provisioning.EnablerInstances.Existing;

/**
 * {@link DeviceRequests} over a Leshan server: what each request and answer means in LwM2M. A
 * device whose registration is not {@code here} (another node holds its session, where nodes share
 * registrations) counts as not registered: this node cannot reach it.
 */
final class LeshanDeviceRequests implements DeviceRequests {
  private final LeshanServer server;
  private final long timeoutMs;
  private final Predicate<Registration> here;

  LeshanDeviceRequests(LeshanServer server, long timeoutMs, Predicate<Registration> here) {
    this.server = server;
    this.timeoutMs = timeoutMs;
    this.here = here;
  }

  @Override
  public Optional<Device> registered(String endpoint) {
    Registration r = registration(endpoint);
    if (r == null) {
      return Optional.empty();
    }
    return Optional.of(
        new Device(
            !r.usesQueueMode() || server.getPresenceService().isClientAwake(r),
            r.getSupportedObject().containsKey(EnablerSecurityObject.ID),
            r.getAvailableInstances().stream()
                .anyMatch(p -> p.getObjectId() == EnablerSecurityObject.ID),
            Provisioner.reportsBySend(r)));
  }

  @Override
  public Answer<List<Existing>> readInstances(String endpoint) throws InterruptedException {
    String what = "reading the object";
    try {
      ReadResponse read = send(endpoint, new ReadRequest(EnablerSecurityObject.ID));
      if (read == null || !read.isSuccess()) {
        return Answer.failed(describe(what, read));
      }
      return Answer.done(EnablerInstances.parse(read.getContent()));
    } catch (RuntimeException e) {
      return Answer.failed(what + " failed: " + e.getMessage());
    }
  }

  @Override
  public Answer<Void> replace(String endpoint, int instanceId, EnablerParameters parameters)
      throws InterruptedException {
    LwM2mObjectInstance instance = EnablerInstances.toInstance(instanceId, parameters);
    return done(
        endpoint,
        "writing the parameters",
        new WriteRequest(
            Mode.REPLACE,
            EnablerSecurityObject.ID,
            instance.getId(),
            instance.getResources().values()));
  }

  @Override
  public Answer<Void> create(String endpoint, int instanceId, EnablerParameters parameters)
      throws InterruptedException {
    return done(
        endpoint,
        "writing the parameters",
        new CreateRequest(
            EnablerSecurityObject.ID, EnablerInstances.toInstance(instanceId, parameters)));
  }

  @Override
  public Answer<Void> delete(String endpoint, int instanceId) throws InterruptedException {
    return done(
        endpoint,
        "deleting instance " + instanceId,
        new DeleteRequest(EnablerSecurityObject.ID, instanceId));
  }

  @Override
  public boolean observed(String endpoint) {
    Registration r = registration(endpoint);
    return r != null
        && Provisioner.observesReports(server.getObservationService().getObservations(r));
  }

  @Override
  public void observe(String endpoint, Consumer<List<Existing>> current, Consumer<String> failed) {
    Registration r = registration(endpoint);
    String what = "observing object " + EnablerSecurityObject.ID;
    if (r == null) {
      failed.accept(what + ": the device is not registered");
      return;
    }
    try {
      server.send(
          r,
          new ObserveRequest(EnablerSecurityObject.ID),
          timeoutMs,
          response -> {
            if (response.isSuccess()) {
              current.accept(EnablerInstances.parse(response.getContent()));
            } else {
              failed.accept(describe(what, response));
            }
          },
          error ->
              failed.accept(
                  error instanceof TimeoutException
                      ? describe(what, null)
                      : what + " failed: " + error.getMessage()));
    } catch (RuntimeException e) {
      // refused before it was sent (no endpoint for the registration, the server stopping)
      failed.accept(what + " failed: " + e.getMessage());
    }
  }

  private Registration registration(String endpoint) {
    Registration r = server.getRegistrationService().getByEndpoint(endpoint);
    return r != null && here.test(r) ? r : null;
  }

  private <T extends LwM2mResponse> T send(String endpoint, DownlinkRequest<T> request)
      throws InterruptedException {
    Registration r = registration(endpoint);
    if (r == null) {
      throw new IllegalStateException("the device is no longer registered");
    }
    return server.send(r, request, timeoutMs);
  }

  private Answer<Void> done(String endpoint, String what, DownlinkRequest<?> request)
      throws InterruptedException {
    try {
      LwM2mResponse response = send(endpoint, request);
      return response != null && response.isSuccess()
          ? Answer.done(null)
          : Answer.failed(describe(what, response));
    } catch (RuntimeException e) {
      return Answer.failed(what + " failed: " + e.getMessage());
    }
  }

  static String describe(String what, LwM2mResponse response) {
    if (response == null) {
      return what + " timed out: the device did not answer";
    }
    ResponseCode code = response.getCode();
    String message = response.getErrorMessage();
    return what
        + ": the device answered "
        + code.getCode() / 100
        + "."
        + String.format("%02d", code.getCode() % 100)
        + " "
        + code.getName()
        + (message == null || message.isEmpty() ? "" : " (" + message + ")");
  }
}
