package org.keyprov.server.cluster;

import java.net.InetSocketAddress;
import java.util.Collection;
import java.util.Iterator;
import java.util.Objects;
import org.eclipse.leshan.core.Destroyable;
import org.eclipse.leshan.core.Startable;
import org.eclipse.leshan.core.Stoppable;
import org.eclipse.leshan.core.observation.Observation;
import org.eclipse.leshan.core.observation.ObservationIdentifier;
import org.eclipse.leshan.core.peer.LwM2mIdentity;
import org.eclipse.leshan.server.redis.RedisRegistrationStore;
import org.eclipse.leshan.server.registration.Deregistration;
import org.eclipse.leshan.server.registration.ExpirationListener;
import org.eclipse.leshan.server.registration.Registration;
import org.eclipse.leshan.server.registration.RegistrationStore;
import org.eclipse.leshan.server.registration.RegistrationUpdate;
import org.eclipse.leshan.server.registration.UpdatedRegistration;

/**
 * The shared store as one node uses it: a registration update that reaches this node for a device
 * registered through another is answered 4.04 Not Found, so the device registers again, here. Its
 * old node is gone or no longer has its flow (the device had to make a new DTLS session to reach
 * this one), and a registration keeps the server endpoint it was made on, which this node could not
 * send requests from.
 */
final class NodeBoundRegistrations implements RegistrationStore, Startable, Stoppable, Destroyable {
  private final RedisRegistrationStore store;
  private final String node;

  NodeBoundRegistrations(RedisRegistrationStore store, String node) {
    this.store = store;
    this.node = Objects.requireNonNull(node, "node");
  }

  @Override
  public UpdatedRegistration updateRegistration(RegistrationUpdate update) {
    Registration current = store.getRegistration(update.getRegistrationId());
    if (current == null || !node.equals(RedisCluster.servingNode(current))) {
      return null; // Leshan answers 4.04: register again
    }
    return store.updateRegistration(update);
  }

  @Override
  public Deregistration addRegistration(Registration registration) {
    return store.addRegistration(registration);
  }

  @Override
  public Registration getRegistration(String registrationId) {
    return store.getRegistration(registrationId);
  }

  @Override
  public Registration getRegistrationByEndpoint(String endpoint) {
    return store.getRegistrationByEndpoint(endpoint);
  }

  @Override
  public Registration getRegistrationByAdress(InetSocketAddress address) {
    return store.getRegistrationByAdress(address);
  }

  @Override
  public Registration getRegistrationByIdentity(LwM2mIdentity identity) {
    return store.getRegistrationByIdentity(identity);
  }

  @Override
  public Iterator<Registration> getAllRegistrations() {
    return store.getAllRegistrations();
  }

  @Override
  public Deregistration removeRegistration(String registrationId) {
    return store.removeRegistration(registrationId);
  }

  @Override
  public Collection<Observation> addObservation(
      String registrationId, Observation observation, boolean addIfAbsent) {
    return store.addObservation(registrationId, observation, addIfAbsent);
  }

  @Override
  public Observation getObservation(String registrationId, ObservationIdentifier observationId) {
    return store.getObservation(registrationId, observationId);
  }

  @Override
  public Observation getObservation(ObservationIdentifier observationId) {
    return store.getObservation(observationId);
  }

  @Override
  public Observation removeObservation(String registrationId, ObservationIdentifier observationId) {
    return store.removeObservation(registrationId, observationId);
  }

  @Override
  public Collection<Observation> getObservations(String registrationId) {
    return store.getObservations(registrationId);
  }

  @Override
  public Collection<Observation> removeObservations(String registrationId) {
    return store.removeObservations(registrationId);
  }

  @Override
  public void setExpirationListener(ExpirationListener listener) {
    store.setExpirationListener(listener);
  }

  @Override
  public void start() {
    store.start();
  }

  @Override
  public void stop() {
    store.stop();
  }

  @Override
  public void destroy() {
    store.destroy();
  }
}
