package org.keyprov.server.provisioning;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.keyprov.keys.Assignment;
import org.keyprov.keys.CredentialAdmin;
import org.keyprov.keys.EnablerParameters;
import org.keyprov.keys.ProvisioningLedger;
import org.keyprov.keys.ProvisioningState;
import org.keyprov.models.EnablerSecurityObject;
import org.keyprov.server.provisioning.DeviceRequests.Answer;
import org.keyprov.server.provisioning.DeviceRequests.Device;
import org.keyprov.server.provisioning.EnablerInstances.Existing;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One device's provisioning pass: deletes the instances of unassigned Enablers, reads what the
 * device holds, creates or replaces the instance of each due Enabler, records each outcome, and
 * schedules what comes next (a retry with backoff after a failure, a pass when a key is due for
 * renewal, another Observe when one failed). Talks to the device through {@link DeviceRequests}
 * only. Runs on a worker, one pass per device at a time ({@link Provisioner} sees to that).
 */
final class ProvisioningPass {
  private static final Logger LOG = LoggerFactory.getLogger(ProvisioningPass.class);

  private final DeviceRequests device;
  private final CredentialAdmin admin;
  private final ProvisioningLedger ledger;
  private final ProvisioningListener listener;
  private final Clock clock;
  private final Backoff backoff;
  private final Executor workers;
  private final ScheduledExecutorService timer;

  /** Asks for the device's next pass. */
  private final Consumer<String> again;

  /** The pending renewal of each (device, Enabler): {@code endpoint|fqdn}. */
  private final Map<String, ScheduledFuture<?>> renewals = new ConcurrentHashMap<>();

  /** The last connection result recorded per (device, Enabler), so repeats are not rewritten. */
  private final Map<String, String> lastReported = new ConcurrentHashMap<>();

  /** Failed Observe requests in a row, per endpoint, for the retry's backoff. */
  private final Map<String, Integer> observeFailures = new ConcurrentHashMap<>();

  private final Unassignments unassigned;

  /**
   * How long to wait before asking again when another node holds the device's lease. The lease is
   * taken again (renewed) before each write, so a pass holds it as long as it needs.
   */
  private static final long LEASE_WAIT_MS = 1_000;

  private final PassLease lease;

  ProvisioningPass(
      DeviceRequests device,
      CredentialAdmin admin,
      ProvisioningLedger ledger,
      ProvisioningListener listener,
      Clock clock,
      Backoff backoff,
      Executor workers,
      ScheduledExecutorService timer,
      PassLease lease,
      Consumer<String> again) {
    this.device = device;
    this.lease = lease;
    this.admin = admin;
    this.ledger = ledger;
    this.listener = listener;
    this.clock = clock;
    this.backoff = backoff;
    this.workers = workers;
    this.timer = timer;
    this.again = again;
    this.unassigned = new Unassignments(device);
  }

  /** The Enabler was taken off the device: its instance goes in the next pass, renewals stop. */
  void unassigned(String endpoint, String nafFqdn) {
    String key = endpoint + "|" + nafFqdn;
    ScheduledFuture<?> renewal = renewals.remove(key);
    if (renewal != null) {
      renewal.cancel(false);
    }
    lastReported.remove(key);
    unassigned.add(endpoint, nafFqdn);
  }

  /** Devices registered anew here since their last pass: it takes their lease over. */
  private final java.util.Set<String> registeredAnew = ConcurrentHashMap.newKeySet();

  /**
   * The device has just registered (not updated) with this node: a lease another node holds for it
   * belongs to a pass that can no longer reach it, and its next pass here takes it over instead of
   * waiting for its term.
   */
  void registeredAnew(String endpoint) {
    registeredAnew.add(endpoint);
  }

  /** The device is gone (deregistered or expired, not re-registered). */
  void gone(String endpoint) {
    observeFailures.remove(endpoint);
    ScheduledFuture<?> wake = wakes.remove(endpoint);
    if (wake != null) {
      wake.cancel(false);
    }
  }

  /** Per device, the pass armed for when its next assignment falls due, from the ledger. */
  private final Map<String, ScheduledFuture<?>> wakes = new ConcurrentHashMap<>();

  /**
   * Nothing is due now: a pass when something is (a retry, a renewal), unless one is armed already.
   * The timers of an earlier run (this node restarted, or the device came from another node) are
   * armed again this way, from the ledger, at the device's first pass here.
   */
  private void wakeWhenDue(String endpoint, Optional<Instant> next) {
    ScheduledFuture<?> armed = wakes.get(endpoint);
    if (armed != null && !armed.isDone()) {
      return;
    }
    next.ifPresent(
        at -> {
          long delayMs = Math.max(0, Duration.between(clock.instant(), at).toMillis()) + 100;
          try {
            wakes.put(
                endpoint,
                timer.schedule(
                    () -> {
                      wakes.remove(endpoint);
                      again.accept(endpoint);
                    },
                    delayMs,
                    TimeUnit.MILLISECONDS));
          } catch (RejectedExecutionException stopping) {
            // the server is closing; the device's next registration renews what is due
          }
        });
  }

  void run(String endpoint) {
    Optional<Device> found = device.registered(endpoint);
    if (found.isEmpty() || !found.get().listening()) {
      // a sleeping device gets what is due at its next update, when it listens again
      return;
    }
    Device d = found.get();
    boolean taken =
        registeredAnew.remove(endpoint) ? lease.takeOver(endpoint) : lease.take(endpoint);
    if (!taken) {
      LOG.debug(
          "{}: another node is provisioning it; trying again in {} ms", endpoint, LEASE_WAIT_MS);
      later(endpoint, LEASE_WAIT_MS);
      return;
    }
    try {
      provision(endpoint, d);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      lease.release(endpoint);
    }
  }

  private void provision(String endpoint, Device d) throws InterruptedException {
    if (d.implementsObject()) {
      unassigned.apply(endpoint);
    }
    ProvisioningLedger.Plan plan = ledger.plan(endpoint, clock.instant());
    List<Assignment> due = plan.due();
    if (due.isEmpty()) {
      observe(endpoint, d);
      wakeWhenDue(endpoint, plan.next());
      return;
    }
    if (!d.implementsObject()) {
      unsupported(endpoint, due);
      return;
    }
    List<Existing> existing;
    boolean everWritten = due.stream().anyMatch(a -> a.keyVersion().isPresent());
    if (!d.listsInstances() && !everWritten) {
      // a first provisioning of a device whose object links list no instance: nothing to read.
      // Once a key was written the links may lag behind (they are only as fresh as the last
      // registration update), so a renewal always reads what the device holds.
      existing = new ArrayList<>();
    } else {
      Answer<List<Existing>> read = device.readInstances(endpoint);
      if (!read.ok()) {
        for (Assignment a : due) {
          failed(endpoint, a, read.failure());
        }
        return;
      }
      existing = new ArrayList<>(read.value());
    }
    // asked to observe before it learns its parameters: the device reports its Enabler connection
    // right after, and a change made before the observation exists is never notified
    observe(endpoint, d);
    for (Assignment a : due) {
      provisionOne(endpoint, a, existing);
    }
  }

  private void unsupported(String endpoint, List<Assignment> due) {
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
  }

  private void provisionOne(String endpoint, Assignment a, List<Existing> existing)
      throws InterruptedException {
    Optional<Existing> current =
        existing.stream().filter(e -> e.nafFqdn().equalsIgnoreCase(a.nafFqdn())).findFirst();
    if (current.isPresent()
        && current.get().source() == EnablerSecurityObject.SOURCE_SIM
        && !a.overwriteSim()) {
      ledger.fromSim(endpoint, a.nafFqdn());
      LOG.info("{}: Enabler {} comes from the SIM; not overwritten", endpoint, a.nafFqdn());
      return;
    }
    EnablerParameters params;
    try {
      params = admin.currentParameters(endpoint, a.nafFqdn());
    } catch (RuntimeException e) {
      failed(endpoint, a, "minting the parameters failed: " + e.getMessage());
      return;
    }
    if (!lease.take(endpoint)) {
      // held longer than its term (slow answers): another node may be provisioning it now
      LOG.warn(
          "{}: lost the provisioning lease; Enabler {} is left to the next pass",
          endpoint,
          a.nafFqdn());
      later(endpoint, LEASE_WAIT_MS);
      return;
    }
    Answer<Void> written;
    if (current.isPresent()) {
      written = device.replace(endpoint, current.get().instanceId(), params);
    } else {
      int id = EnablerInstances.freeInstanceId(existing);
      written = device.create(endpoint, id, params);
      existing.add(
          new Existing(id, a.nafFqdn(), EnablerSecurityObject.SOURCE_DM_SERVER, Optional.empty()));
    }
    if (!written.ok()) {
      failed(endpoint, a, written.failure());
      return;
    }
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
    later(endpoint, delay.toMillis());
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
                again.accept(endpoint);
              },
              delayMs,
              TimeUnit.MILLISECONDS);
      ScheduledFuture<?> previous = renewals.put(key, next);
      if (previous != null) {
        previous.cancel(false);
      }
    } catch (RejectedExecutionException stopping) {
      // the server is closing; the device's next registration renews what is due
    }
  }

  private void later(String endpoint, long delayMs) {
    try {
      timer.schedule(() -> again.accept(endpoint), delayMs, TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException stopping) {
      // the server is closing; the next registration picks it up
    }
  }

  /**
   * Observes object 33001 so the device's connection results reach the ledger, unless the device
   * sends them itself; never blocks.
   */
  private void observe(String endpoint, Device d) {
    if (!d.implementsObject() || d.reportsBySend() || device.observed(endpoint)) {
      return;
    }
    device.observe(
        endpoint,
        instances -> {
          observeFailures.remove(endpoint);
          reported(endpoint, instances);
        },
        reason -> observeFailed(endpoint, reason));
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
    later(endpoint, delay.toMillis());
  }

  /**
   * What the device holds now (an Observe answer or notification, or what it sent): new results are
   * recorded.
   */
  void reported(String endpoint, List<Existing> instances) {
    for (Existing e : instances) {
      if (e.lastConnectionResult().isEmpty() || e.nafFqdn().isEmpty()) {
        continue;
      }
      String result = e.lastConnectionResult().get();
      if (result.equals(lastReported.put(endpoint + "|" + e.nafFqdn(), result))) {
        continue;
      }
      workers.execute(() -> record(endpoint, e.nafFqdn(), result));
    }
  }

  private void record(String endpoint, String fqdn, String result) {
    try {
      ledger.connectionReported(endpoint, fqdn, result);
      listener.connectionReported(endpoint, fqdn, result);
    } catch (RuntimeException ex) {
      LOG.warn(
          "{}: cannot record the connection result for {}: {}", endpoint, fqdn, ex.getMessage());
    }
  }
}
