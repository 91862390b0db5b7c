package org.keyprov.server.provisioning;

import java.time.Clock;
import java.time.Duration;
import java.util.Collection;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Predicate;
import org.eclipse.leshan.core.observation.CompositeObservation;
import org.eclipse.leshan.core.observation.Observation;
import org.eclipse.leshan.core.observation.SingleObservation;
import org.eclipse.leshan.core.response.ObserveCompositeResponse;
import org.eclipse.leshan.core.response.ObserveResponse;
import org.eclipse.leshan.server.LeshanServer;
import org.eclipse.leshan.server.observation.ObservationListener;
import org.eclipse.leshan.server.registration.Registration;
import org.eclipse.leshan.server.registration.RegistrationListener;
import org.eclipse.leshan.server.registration.RegistrationUpdate;
import org.keyprov.keys.CredentialAdmin;
import org.keyprov.keys.ProvisioningLeases;
import org.keyprov.keys.ProvisioningLedger;
import org.keyprov.models.EnablerSecurityObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Provisions every due Enabler of a device when it registers or updates, without operator action
 * (see {@link ProvisioningPass}), and hears the devices' connection results: sent by the device
 * (LwM2M Send) or, from a device that does not say it sends them, through the observation of object
 * 33001.
 *
 * <p>Keys renew themselves: after each write a pass is scheduled for when the key is due for
 * renewal, and every registration or update runs one too, so an offline or sleeping device gets its
 * next key version at its next contact.
 *
 * <p>This class is the glue to Leshan: its listeners only enqueue work; passes run on {@code
 * workers}, one per device at a time (and with several nodes on one database, only on the node
 * holding the device's {@link PassLease}).
 */
public final class Provisioner
    implements RegistrationListener,
        ObservationListener,
        org.eclipse.leshan.server.send.SendListener {
  private static final Logger LOG = LoggerFactory.getLogger(Provisioner.class);

  /**
   * A lease lasts as long as this many device requests can take at their timeout; the pass renews
   * it before each write, so it only has to outlast a read, an Observe and a write. A node that
   * dies mid-pass blocks the device for at most that long.
   */
  private static final int LEASE_REQUESTS = 3;

  private final SerialScheduler passes;
  private final ProvisioningPass pass;

  /**
   * With {@code leases} (and this node's name, {@code node}), each pass holds the device's lease:
   * for several DM servers on one database; {@code null} for one alone. Passes only provision
   * devices whose registration is {@code here}.
   */
  public Provisioner(
      LeshanServer server,
      CredentialAdmin admin,
      ProvisioningLedger ledger,
      ProvisioningListener listener,
      Clock clock,
      Backoff backoff,
      Duration requestTimeout,
      ExecutorService workers,
      ScheduledExecutorService timer,
      ProvisioningLeases leases,
      String node,
      Predicate<Registration> here) {
    this.pass =
        new ProvisioningPass(
            new LeshanDeviceRequests(server, requestTimeout.toMillis(), here),
            admin,
            ledger,
            listener,
            clock,
            backoff,
            workers,
            timer,
            leases == null
                ? PassLease.SINGLE_NODE
                : PassLease.shared(
                    leases, node, clock, requestTimeout.multipliedBy(LEASE_REQUESTS)),
            this::provisionSoon);
    this.passes = new SerialScheduler(workers, pass::run);
  }

  /** Whether the device registered saying it sends its connection results (LwM2M Send). */
  public static boolean reportsBySend(Registration registration) {
    return EnablerSecurityObject.REPORTS_BY_SEND.equals(
        registration
            .getAdditionalRegistrationAttributes()
            .get(EnablerSecurityObject.REPORTS_ATTRIBUTE));
  }

  /** Whether one of these observations is of object 33001 as a whole: the connection reports'. */
  public static boolean observesReports(Collection<Observation> observations) {
    return observations.stream()
        .anyMatch(
            o ->
                o instanceof SingleObservation s
                    && s.getPath().isObject()
                    && s.getPath().getObjectId() == EnablerSecurityObject.ID);
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
    pass.unassigned(endpoint, nafFqdn);
    passes.request(endpoint);
  }

  // RegistrationListener: only enqueue, never block Leshan's threads.

  @Override
  public void registered(
      Registration registration, Registration previousReg, Collection<Observation> previous) {
    pass.registeredAnew(registration.getEndpoint());
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
      pass.gone(registration.getEndpoint());
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
    // the object as a whole is what the DM server observes; the object browser's observations of
    // one instance or resource are not connection reports
    if (observation.getPath().getObjectId() != EnablerSecurityObject.ID
        || !observation.getPath().isObject()) {
      return;
    }
    pass.reported(registration.getEndpoint(), EnablerInstances.parse(response.getContent()));
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

  // SendListener: connection results a device sends itself (LwM2M Send), instead of an Observe.

  @Override
  public void dataReceived(
      Registration registration,
      org.eclipse.leshan.core.node.TimestampedLwM2mNodes data,
      org.eclipse.leshan.core.request.SendRequest request) {
    pass.reported(registration.getEndpoint(), EnablerInstances.parseSent(data.getNodes()));
  }

  @Override
  public void onError(Registration registration, String errorMessage, Exception error) {
    LOG.debug("{}: a Send was refused: {}", registration.getEndpoint(), errorMessage);
  }
}
