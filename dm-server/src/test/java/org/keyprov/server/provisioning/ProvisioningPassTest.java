package org.keyprov.server.provisioning;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.keyprov.keys.Assignment;
import org.keyprov.keys.EnablerProfile;
import org.keyprov.keys.KeyManager;
import org.keyprov.keys.ProvisioningState;
import org.keyprov.keys.store.testing.TestKeyManagers;
import org.keyprov.models.EnablerSecurityObject;
import org.keyprov.server.provisioning.DeviceRequests.Device;
import org.keyprov.server.provisioning.EnablerInstances.Existing;

/**
 * The provisioning pass against a fake device and a real Key Manager on H2: what it asks of the
 * device, what it records, and what it schedules next. No Leshan, no sockets.
 */
class ProvisioningPassTest {
  private static final String EP = "ep1";
  private static final String FQDN = "a.enabler.test";

  @TempDir Path dir;
  private KeyManager km;
  private FakeDeviceRequests device;
  private ScheduledExecutorService timer;
  private final List<String> again = new CopyOnWriteArrayList<>();
  private final List<String> heard = new CopyOnWriteArrayList<>();
  private ProvisioningPass pass;

  @BeforeEach
  void start() {
    km = TestKeyManagers.started(dir);
    km.admin()
        .putEnabler(
            EnablerProfile.dtls(FQDN, URI.create("coaps://127.0.0.1:1"), Duration.ofDays(1)),
            "test");
    km.admin().addDevice(EP, EP, new byte[16], "test");
    km.admin().assign(EP, FQDN, "test");
    device = new FakeDeviceRequests();
    timer = Executors.newSingleThreadScheduledExecutor();
    ProvisioningListener listener =
        new ProvisioningListener() {
          @Override
          public void provisioned(String endpoint, String nafFqdn, int keyVersion) {
            heard.add("provisioned " + nafFqdn + " v" + keyVersion);
          }

          @Override
          public void failed(String endpoint, String nafFqdn, String reason) {
            heard.add("failed " + nafFqdn + ": " + reason);
          }

          @Override
          public void unsupported(String endpoint, String reason) {
            heard.add("unsupported");
          }

          @Override
          public void connectionReported(String endpoint, String nafFqdn, String result) {
            heard.add("connection " + nafFqdn + " " + result);
          }
        };
    this.listener = listener;
    pass = pass(PassLease.SINGLE_NODE);
  }

  private ProvisioningListener listener;

  private ProvisioningPass pass(PassLease lease) {
    return new ProvisioningPass(
        device,
        km.admin(),
        km.ledger(),
        listener,
        Clock.systemUTC(),
        new Backoff(Duration.ofMillis(20), Duration.ofMillis(100)),
        Runnable::run,
        timer,
        lease,
        again::add);
  }

  @AfterEach
  void stop() {
    timer.shutdownNow();
    km.close();
  }

  private Assignment assignment() {
    return km.ledger().assignments(EP).get(0);
  }

  @Test
  void a_first_pass_observes_then_creates_instance_0_and_records_the_key() {
    pass.run(EP);

    assertThat(device.requests).containsExactly("observe", "create 0 v1");
    assertThat(assignment().state()).isEqualTo(ProvisioningState.PROVISIONED);
    assertThat(assignment().keyVersion()).contains(1);
    assertThat(heard).containsExactly("provisioned " + FQDN + " v1");
  }

  @Test
  void a_device_that_sends_its_connection_results_is_not_observed_and_what_it_sends_is_recorded() {
    device.device = Optional.of(new Device(true, true, false, true));

    pass.run(EP);
    pass.run(EP);

    assertThat(device.requests).containsExactly("create 0 v1");
    pass.reported(
        EP,
        List.of(
            new Existing(
                0, FQDN, EnablerSecurityObject.SOURCE_DM_SERVER, Optional.of("failed: refused"))));
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> assignment().lastConnectionResult().isPresent());
    assertThat(assignment().lastConnectionResult()).contains("failed: refused");
  }

  @Test
  void a_device_another_node_is_provisioning_is_left_to_it_and_tried_again_after() {
    ProvisioningPass nodeA =
        pass(PassLease.shared(km.leases(), "node-a", Clock.systemUTC(), Duration.ofMinutes(1)));
    assertThat(km.leases().take(EP, "node-b", Instant.now(), Duration.ofMinutes(1))).isTrue();

    nodeA.run(EP);

    assertThat(device.requests).isEmpty();
    await().atMost(Duration.ofSeconds(5)).until(() -> again.contains(EP));
    assertThat(assignment().state()).isEqualTo(ProvisioningState.PENDING);

    km.leases().release(EP, "node-b");
    nodeA.run(EP);

    assertThat(device.requests).containsExactly("observe", "create 0 v1");
    assertThat(km.leases().take(EP, "node-b", Instant.now(), Duration.ofMinutes(1)))
        .as("node A gave the lease back after its pass")
        .isTrue();
  }

  @Test
  void a_device_that_registers_anew_here_is_taken_from_the_node_that_was_provisioning_it() {
    ProvisioningPass nodeA =
        pass(PassLease.shared(km.leases(), "node-a", Clock.systemUTC(), Duration.ofMinutes(1)));
    assertThat(km.leases().take(EP, "node-b", Instant.now(), Duration.ofMinutes(1))).isTrue();

    nodeA.registeredAnew(EP);
    nodeA.run(EP);

    assertThat(device.requests).containsExactly("observe", "create 0 v1");
    assertThat(assignment().state()).isEqualTo(ProvisioningState.PROVISIONED);
    assertThat(km.leases().take(EP, "node-b", Instant.now(), Duration.ofMinutes(1)))
        .as(
            "node B, renewing before its next write, finds it is no longer its lease; node A"
                + " gave it back after its pass")
        .isTrue();
  }

  @Test
  void the_instance_a_device_holds_for_the_enabler_is_replaced_in_place() {
    device.device = Optional.of(new Device(true, true, true));
    device.held.add(
        new Existing(5, "other.enabler", EnablerSecurityObject.SOURCE_DM_SERVER, Optional.empty()));
    device.held.add(
        new Existing(3, FQDN, EnablerSecurityObject.SOURCE_DM_SERVER, Optional.empty()));

    pass.run(EP);

    assertThat(device.requests).containsExactly("read", "observe", "replace 3 v1");
  }

  @Test
  void a_new_instance_takes_the_first_free_id() {
    device.device = Optional.of(new Device(true, true, true));
    device.held.add(
        new Existing(0, "other.enabler", EnablerSecurityObject.SOURCE_DM_SERVER, Optional.empty()));

    pass.run(EP);

    assertThat(device.requests).containsExactly("read", "observe", "create 1 v1");
  }

  @Test
  void parameters_the_device_read_from_its_sim_are_left_alone() {
    device.device = Optional.of(new Device(true, true, true));
    device.held.add(new Existing(0, FQDN, EnablerSecurityObject.SOURCE_SIM, Optional.empty()));

    pass.run(EP);

    assertThat(device.requests).containsExactly("read", "observe");
    assertThat(assignment().state()).isEqualTo(ProvisioningState.SIM);
  }

  @Test
  void a_device_without_the_object_is_marked_unsupported_once() {
    device.device = Optional.of(new Device(true, false, false));

    pass.run(EP);
    pass.run(EP);

    assertThat(device.requests).isEmpty();
    assertThat(assignment().state()).isEqualTo(ProvisioningState.UNSUPPORTED);
    assertThat(heard).containsExactly("unsupported");
  }

  @Test
  void a_sleeping_or_gone_device_is_left_for_its_next_contact() {
    device.device = Optional.of(new Device(false, true, false));
    pass.run(EP);
    device.device = Optional.empty();
    pass.run(EP);

    assertThat(device.requests).isEmpty();
    assertThat(assignment().state()).isEqualTo(ProvisioningState.PENDING);
  }

  @Test
  void a_refused_write_is_recorded_with_the_devices_answer_and_retried_after_the_backoff() {
    device.writeFailures.add(
        "writing the parameters: the device answered 5.00 INTERNAL_SERVER_ERROR");

    pass.run(EP);

    assertThat(assignment().state()).isEqualTo(ProvisioningState.FAILED);
    assertThat(assignment().detail()).contains("5.00 INTERNAL_SERVER_ERROR");
    assertThat(heard).singleElement().asString().startsWith("failed " + FQDN);
    await().atMost(Duration.ofSeconds(5)).until(() -> again.contains(EP));

    // the retry, once the backoff has passed, writes again and succeeds
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> !km.ledger().due(EP, Clock.systemUTC().instant()).isEmpty());
    pass.run(EP);
    assertThat(assignment().state()).isEqualTo(ProvisioningState.PROVISIONED);
    assertThat(device.requests).containsSubsequence("create 0 v1", "create 0 v1");
  }

  @Test
  void a_failed_observe_is_retried_and_each_new_connection_result_is_recorded_once() {
    device.observeFailures.add("observing object 33001 timed out: the device did not answer");

    pass.run(EP);
    assertThat(device.observed).isFalse();
    await().atMost(Duration.ofSeconds(5)).until(() -> again.contains(EP));

    device.held.add(
        new Existing(0, FQDN, EnablerSecurityObject.SOURCE_DM_SERVER, Optional.of("ok")));
    pass.run(EP);
    assertThat(device.observed).isTrue();
    pass.reported(EP, List.copyOf(device.held));

    assertThat(heard).containsExactly("provisioned " + FQDN + " v1", "connection " + FQDN + " ok");
    assertThat(assignment().lastConnectionResult()).contains("ok");
  }

  @Test
  void an_unassigned_enablers_instance_is_deleted_at_the_next_pass() {
    device.device = Optional.of(new Device(true, true, true));
    device.held.add(
        new Existing(2, "gone.enabler", EnablerSecurityObject.SOURCE_DM_SERVER, Optional.empty()));
    device.held.add(
        new Existing(4, "sim.enabler", EnablerSecurityObject.SOURCE_SIM, Optional.empty()));
    pass.unassigned(EP, "gone.enabler");
    pass.unassigned(EP, "sim.enabler");

    pass.run(EP);

    assertThat(device.requests).startsWith("read", "delete 2");
    assertThat(device.requests).doesNotContain("delete 4");
  }
}
