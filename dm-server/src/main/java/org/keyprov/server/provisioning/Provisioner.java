package org.keyprov.server.provisioning;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.eclipse.leshan.core.ResponseCode;
import org.eclipse.leshan.core.node.LwM2mObjectInstance;
import org.eclipse.leshan.core.observation.CompositeObservation;
import org.eclipse.leshan.core.observation.Observation;
import org.eclipse.leshan.core.observation.SingleObservation;
import org.eclipse.leshan.core.request.CreateRequest;
import org.eclipse.leshan.core.request.ObserveRequest;
import org.eclipse.leshan.core.request.ReadRequest;
import org.eclipse.leshan.core.request.WriteRequest;
import org.eclipse.leshan.core.request.WriteRequest.Mode;
import org.eclipse.leshan.core.response.LwM2mResponse;
import org.eclipse.leshan.core.response.ObserveCompositeResponse;
import org.eclipse.leshan.core.response.ObserveResponse;
import org.eclipse.leshan.core.response.ReadResponse;
import org.eclipse.leshan.server.LeshanServer;
import org.eclipse.leshan.server.observation.ObservationListener;
import org.eclipse.leshan.server.registration.Registration;
import org.eclipse.leshan.server.registration.RegistrationListener;
import org.eclipse.leshan.server.registration.RegistrationUpdate;
import org.keyprov.keys.Assignment;
import org.keyprov.keys.CredentialAdmin;
import org.keyprov.keys.EnablerParameters;
import org.keyprov.keys.ProvisioningLedger;
import org.keyprov.keys.ProvisioningState;
import org.keyprov.models.EnablerSecurityObject;
import org.keyprov.server.provisioning.EnablerInstances.Existing;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Provisions every due Enabler of a device when it registers or updates, without operator action:
 * reads the device's Enabler Security Parameters instances, creates or replaces the one of each due
 * Enabler, records the outcome and schedules retries with backoff. Also observes the object so the
 * devices' connection results reach the ledger.
 *
 * <p>Keys renew themselves: after each write a pass is scheduled for when the key is due for
 * renewal, and every registration or update runs one too, so an offline or sleeping device gets its
 * next key version at its next contact.
 *
 * <p>Leshan's threads only enqueue work; requests run on {@code workers}, one pass per device at a
 * time.
 */
public final class Provisioner implements RegistrationListener, ObservationListener {
  private static final Logger LOG = LoggerFactory.getLogger(Provisioner.class);

  private final LeshanServer server;
  private final CredentialAdmin admin;
  private final ProvisioningLedger ledger;
  private final ProvisioningListener listener;
  private final Clock clock;
  private final Backoff backoff;
  private final long requestTimeoutMs;
  private final ExecutorService workers;
  private final ScheduledExecutorService timer;

  private final SerialScheduler passes;

  /** The pending renewal of each (device, Enabler): {@code endpoint|fqdn}. */
  private final Map<String, ScheduledFuture<?>> renewals = new ConcurrentHashMap<>();

  private final Map<String, String> lastReported = new ConcurrentHashMap<>();

  /** Failed Observe requests in a row, per endpoint, for the retry's backoff. */
  private final Map<String, Integer> observeFailures = new ConcurrentHashMap<>();

  private final Unassignments unassigned;

  public Provisioner(
      LeshanServer server,
      CredentialAdmin admin,
      ProvisioningLedger ledger,
      ProvisioningListener listener,
      Clock clock,
      Backoff backoff,
      Duration requestTimeout,
      ExecutorService workers,
      ScheduledExecutorService timer) {
    this.server = server;
    this.admin = admin;
    this.ledger = ledger;
    this.listener = listener;
    this.clock = clock;
    this.backoff = backoff;
    this.requestTimeoutMs = requestTimeout.toMillis();
    this.workers = workers;
    this.timer = timer;
    this.passes = new SerialScheduler(workers, this::pass);
    this.unassigned = new Unassignments(server, requestTimeoutMs);
  }

  /** Asks for a provisioning pass of this device, now, on a worker; one at a time per device. */
  public void provisionSoon(String endpoint) {
    passes.request(endpoint);
  }

  /**
   * The Enabler was taken off the device: its instance there is deleted in the device's next pass
   * (now, if it is registered and awake), and its renewals stop.
   */
  public void unprovisionSoon(String endpoint, String nafFqdn) {
    String key = endpoint + "|" + nafFqdn;
    ScheduledFuture<?> renewal = renewals.remove(key);
    if (renewal != null) {
      renewal.cancel(false);
    }
    lastReported.remove(key);
    unassigned.add(endpoint, nafFqdn);
    passes.request(endpoint);
  }

  private void pass(String endpoint) {
    Registration registration = server.getRegistrationService().getByEndpoint(endpoint);
    if (registration == null) {
      return;
    }
    if (registration.usesQueueMode() && !server.getPresenceService().isClientAwake(registration)) {
      // a sleeping device gets what is due at its next update, when it listens again
      return;
    }
    try {
      unassigned.apply(registration);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return;
    }
    List<Assignment> due = ledger.due(endpoint, clock.instant());
    if (due.isEmpty()) {
      observe(registration);
      return;
    }
    if (!registration.getSupportedObject().containsKey(EnablerSecurityObject.ID)) {
      String reason =
          "the device's client does not implement object "
              + EnablerSecurityObject.ID
              + " (Enabler Security Parameters)";
      List<Assignment> newly =
          due.stream().filter(a -> a.state() != ProvisioningState.UNSUPPORTED).toList();
      for (Assignment a : newly) {
        ledger.unsupported(endpoint, a.nafFqdn(), reason);
      }
      if (!newly.isEmpty()) {
        listener.unsupported(endpoint, reason);
      }
      return;
    }
    List<Existing> existing;
    boolean listsInstances =
        registration.getAvailableInstances().stream()
            .anyMatch(p -> p.getObjectId() == EnablerSecurityObject.ID);
    boolean everWritten = due.stream().anyMatch(a -> a.keyVersion().isPresent());
    if (!listsInstances && !everWritten) {
      // a first provisioning of a device whose object links list no instance: nothing to read.
      // Once a key was written the links may lag behind (they are only as fresh as the last
      // registration update), so a renewal always reads what the device holds.
      existing = new ArrayList<>();
    } else {
      try {
        ReadResponse read =
            server.send(registration, new ReadRequest(EnablerSecurityObject.ID), requestTimeoutMs);
        if (read == null || !read.isSuccess()) {
          for (Assignment a : due) {
            failed(endpoint, a, describe("reading the object", read));
          }
          return;
        }
        existing = new ArrayList<>(EnablerInstances.parse(read.getContent()));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } catch (RuntimeException e) {
        for (Assignment a : due) {
          failed(endpoint, a, "reading the object failed: " + e.getMessage());
        }
        return;
      }
    }
    for (Assignment a : due) {
      if (!provisionOne(registration, a, existing)) {
        return;
      }
    }
    observe(registration);
  }

  /** Returns false if the thread was interrupted. */
  private boolean provisionOne(Registration registration, Assignment a, List<Existing> existing) {
    String endpoint = registration.getEndpoint();
    Optional<Existing> current =
        existing.stream().filter(e -> e.nafFqdn().equalsIgnoreCase(a.nafFqdn())).findFirst();
    if (current.isPresent()
        && current.get().source() == EnablerSecurityObject.SOURCE_SIM
        && !a.overwriteSim()) {
      ledger.fromSim(endpoint, a.nafFqdn());
      LOG.info("{}: Enabler {} comes from the SIM; not overwritten", endpoint, a.nafFqdn());
      return true;
    }
    try {
      EnablerParameters params = admin.currentParameters(endpoint, a.nafFqdn());
      LwM2mResponse response;
      if (current.isPresent()) {
        LwM2mObjectInstance instance =
            EnablerInstances.toInstance(current.get().instanceId(), params);
        response =
            server.send(
                registration,
                new WriteRequest(
                    Mode.REPLACE,
                    EnablerSecurityObject.ID,
                    instance.getId(),
                    instance.getResources().values()),
                requestTimeoutMs);
      } else {
        int id = EnablerInstances.freeInstanceId(existing);
        response =
            server.send(
                registration,
                new CreateRequest(
                    EnablerSecurityObject.ID, EnablerInstances.toInstance(id, params)),
                requestTimeoutMs);
        existing.add(
            new Existing(
                id, a.nafFqdn(), EnablerSecurityObject.SOURCE_DM_SERVER, Optional.empty()));
      }
      if (response != null && response.isSuccess()) {
        ledger.provisioned(
            endpoint, a.nafFqdn(), params.keyVersion(), params.expiresAt(), params.renewAt());
        lastReported.remove(endpoint + "|" + a.nafFqdn());
        scheduleRenewal(endpoint, a.nafFqdn(), params.renewAt());
        LOG.info(
            "{}: provisioned Enabler {} with B-TID {} (version {})",
            endpoint,
            a.nafFqdn(),
            params.btid(),
            params.keyVersion());
        listener.provisioned(endpoint, a.nafFqdn(), params.keyVersion());
      } else {
        failed(endpoint, a, describe("writing the parameters", response));
      }
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    } catch (RuntimeException e) {
      failed(endpoint, a, "writing the parameters failed: " + e.getMessage());
      return true;
    }
  }

  private void failed(String endpoint, Assignment a, String reason) {
    Duration delay = backoff.delayAfter(a.attempts() + 1);
    Instant next = clock.instant().plus(delay);
    ledger.failed(endpoint, a.nafFqdn(), reason, next);
    LOG.warn(
        "{}: provisioning Enabler {} failed ({}); retry in {}",
        endpoint,
        a.nafFqdn(),
        reason,
        delay);
    listener.failed(endpoint, a.nafFqdn(), reason);
    try {
      timer.schedule(() -> provisionSoon(endpoint), delay.toMillis(), TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.RejectedExecutionException stopping) {
      // the server is closing; the next registration picks it up
    }
  }

  /** A pass when the key is due for renewal, replacing the one scheduled for its last version. */
  private void scheduleRenewal(String endpoint, String fqdn, Instant renewAt) {
    // a little late rather than early: a pass a millisecond before renewAt finds nothing due
    long delayMs = Math.max(0, Duration.between(clock.instant(), renewAt).toMillis()) + 100;
    String key = endpoint + "|" + fqdn;
    try {
      ScheduledFuture<?> next =
          timer.schedule(
              () -> {
                renewals.remove(key);
                provisionSoon(endpoint);
              },
              delayMs,
              TimeUnit.MILLISECONDS);
      ScheduledFuture<?> previous = renewals.put(key, next);
      if (previous != null) {
        previous.cancel(false);
      }
    } catch (java.util.concurrent.RejectedExecutionException stopping) {
      // the server is closing; the device's next registration renews what is due
    }
  }

  private static String describe(String what, LwM2mResponse response) {
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

  private void observe(Registration registration) {
    if (!registration.getSupportedObject().containsKey(EnablerSecurityObject.ID)) {
      return;
    }
    boolean observing =
        server.getObservationService().getObservations(registration).stream()
            .anyMatch(
                o ->
                    o instanceof SingleObservation s
                        && s.getPath().isObject()
                        && s.getPath().getObjectId() == EnablerSecurityObject.ID);
    if (observing) {
      return;
    }
    String endpoint = registration.getEndpoint();
    server.send(
        registration,
        new ObserveRequest(EnablerSecurityObject.ID),
        requestTimeoutMs,
        response -> {
          if (response.isSuccess()) {
            observeFailures.remove(endpoint);
            onResponse(null, registration, response);
          } else {
            observeFailed(
                endpoint, describe("observing object " + EnablerSecurityObject.ID, response));
          }
        },
        error ->
            observeFailed(
                endpoint,
                error instanceof org.eclipse.leshan.core.request.exception.TimeoutException
                    ? describe("observing object " + EnablerSecurityObject.ID, null)
                    : "observing object "
                        + EnablerSecurityObject.ID
                        + " failed: "
                        + error.getMessage()));
  }

  /**
   * Without the observation the device's connection results never reach the ledger: try again with
   * backoff, through a pass (which observes when nothing else is due, and stops when the device has
   * gone).
   */
  private void observeFailed(String endpoint, String reason) {
    int attempt = observeFailures.merge(endpoint, 1, Integer::sum);
    Duration delay = backoff.delayAfter(attempt);
    LOG.info("{}: {}; retry in {}", endpoint, reason, delay);
    try {
      timer.schedule(() -> provisionSoon(endpoint), delay.toMillis(), TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.RejectedExecutionException stopping) {
      // the server is closing; the next registration observes again
    }
  }

  // RegistrationListener: only enqueue, never block Leshan's threads.

  @Override
  public void registered(
      Registration registration, Registration previousReg, Collection<Observation> previous) {
    provisionSoon(registration.getEndpoint());
  }

  @Override
  public void updated(
      RegistrationUpdate update, Registration updatedReg, Registration previousReg) {
    provisionSoon(updatedReg.getEndpoint());
  }

  @Override
  public void unregistered(
      Registration registration,
      Collection<Observation> observations,
      boolean expired,
      Registration newReg) {
    if (newReg == null) {
      observeFailures.remove(registration.getEndpoint());
    }
  }

  // ObservationListener: connection results reported by devices.

  @Override
  public void newObservation(Observation observation, Registration registration) {}

  @Override
  public void cancelled(Observation observation) {}

  @Override
  public void onResponse(
      SingleObservation observation, Registration registration, ObserveResponse response) {
    if (observation != null && observation.getPath().getObjectId() != EnablerSecurityObject.ID) {
      return;
    }
    for (Existing e : EnablerInstances.parse(response.getContent())) {
      if (e.lastConnectionResult().isEmpty() || e.nafFqdn().isEmpty()) {
        continue;
      }
      String result = e.lastConnectionResult().get();
      String key = registration.getEndpoint() + "|" + e.nafFqdn();
      if (result.equals(lastReported.put(key, result))) {
        continue;
      }
      workers.execute(() -> report(registration.getEndpoint(), e.nafFqdn(), result));
    }
  }

  private void report(String endpoint, String fqdn, String result) {
    try {
      ledger.connectionReported(endpoint, fqdn, result);
      listener.connectionReported(endpoint, fqdn, result);
    } catch (RuntimeException ex) {
      LOG.warn(
          "{}: cannot record the connection result for {}: {}", endpoint, fqdn, ex.getMessage());
    }
  }

  @Override
  public void onResponse(
      CompositeObservation observation,
      Registration registration,
      ObserveCompositeResponse response) {}

  @Override
  public void onError(Observation observation, Registration registration, Exception error) {
    LOG.debug("{}: observation error: {}", registration.getEndpoint(), error.getMessage());
  }
}
