package org.keyprov.server;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Collection;
import java.util.Locale;
import org.eclipse.leshan.core.observation.Observation;
import org.eclipse.leshan.server.registration.Registration;
import org.eclipse.leshan.server.registration.RegistrationListener;
import org.eclipse.leshan.server.registration.RegistrationUpdate;
import org.keyprov.server.provisioning.ProvisioningListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the DM server counts and logs: registrations by event, provisioning outcomes, keys written
 * (first or rotation) and connection results the devices report. Every registration, deregistration
 * and expiry is an INFO line; updates are DEBUG (a fleet updates all the time). Never key material.
 */
final class DmMeters implements ProvisioningListener, RegistrationListener {
  private static final Logger LOG = LoggerFactory.getLogger("org.keyprov.server.Registrations");

  private final Counter registered;
  private final Counter updated;
  private final Counter deregistered;
  private final Counter expired;
  private final Counter provisioned;
  private final Counter failed;
  private final Counter unsupported;
  private final Counter firstKeys;
  private final Counter renewedKeys;
  private final Counter reportsOk;
  private final Counter reportsFailed;

  DmMeters(MeterRegistry registry) {
    registered = registrations(registry, "registered");
    updated = registrations(registry, "updated");
    deregistered = registrations(registry, "deregistered");
    expired = registrations(registry, "expired");
    provisioned = outcome(registry, "provisioned");
    failed = outcome(registry, "failed");
    unsupported = outcome(registry, "unsupported");
    firstKeys = keys(registry, "first");
    renewedKeys = keys(registry, "rotation");
    reportsOk = reports(registry, "ok");
    reportsFailed = reports(registry, "failed");
  }

  private static Counter registrations(MeterRegistry registry, String event) {
    return Counter.builder("keyprov.dm.registrations")
        .description("LwM2M registration events this node handled")
        .tag("event", event)
        .register(registry);
  }

  private static Counter outcome(MeterRegistry registry, String outcome) {
    return Counter.builder("keyprov.provisioning")
        .description("Provisioning outcomes per (device, Enabler)")
        .tag("outcome", outcome)
        .register(registry);
  }

  private static Counter keys(MeterRegistry registry, String kind) {
    return Counter.builder("keyprov.keys.provisioned")
        .description(
            "Enabler keys written to devices: a device's first for the Enabler, or a later one")
        .tag("kind", kind)
        .register(registry);
  }

  private static Counter reports(MeterRegistry registry, String result) {
    return Counter.builder("keyprov.dm.connection.reports")
        .description("Enabler connection results the devices reported")
        .tag("result", result)
        .register(registry);
  }

  @Override
  public void registered(
      Registration registration, Registration previous, Collection<Observation> observations) {
    registered.increment();
    LOG.info(
        "{} registered from {} (LwM2M {}, lifetime {} s, binding {})",
        registration.getEndpoint(),
        registration.getSocketAddress(),
        registration.getLwM2mVersion(),
        registration.getLifeTimeInSec(),
        registration.getBindingMode());
  }

  @Override
  public void updated(RegistrationUpdate update, Registration updatedReg, Registration previous) {
    updated.increment();
    LOG.debug("{} updated its registration", updatedReg.getEndpoint());
  }

  @Override
  public void unregistered(
      Registration registration,
      Collection<Observation> observations,
      boolean expired,
      Registration newReg) {
    if (newReg != null) {
      return; // replaced by a new registration, counted there
    }
    (expired ? this.expired : deregistered).increment();
    LOG.info(
        "{} {}", registration.getEndpoint(), expired ? "registration expired" : "deregistered");
  }

  @Override
  public void provisioned(String endpoint, String nafFqdn, int keyVersion) {
    provisioned.increment();
    (keyVersion > 1 ? renewedKeys : firstKeys).increment();
  }

  @Override
  public void failed(String endpoint, String nafFqdn, String reason) {
    failed.increment();
  }

  @Override
  public void unsupported(String endpoint, String reason) {
    unsupported.increment();
  }

  @Override
  public void connectionReported(String endpoint, String nafFqdn, String result) {
    if (result != null && result.toUpperCase(Locale.ROOT).startsWith("OK")) {
      reportsOk.increment();
    } else {
      reportsFailed.increment();
    }
  }
}
