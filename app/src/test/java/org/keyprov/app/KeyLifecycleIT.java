package org.keyprov.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.keyprov.client.ConnectionResult;
import org.keyprov.client.DeviceClient;
import org.keyprov.client.EnablerSessions;
import org.keyprov.client.object.EnablerSecurityState;
import org.keyprov.keys.Assignment;
import org.keyprov.keys.ProvisioningState;
import org.keyprov.keys.RenewalPolicy;

/** A device's keys over several lifetimes: renewed before expiry, and after an absence. */
class KeyLifecycleIT {
  private static final byte[] DM_PSK = "device-dm-psk-0001".getBytes();
  private static final String FQDN = "a.enabler.test";

  @TempDir Path dir;
  private Harness h;

  @BeforeEach
  void start() {
    // renew at half the lifetime: seconds of margin on a busy CI machine, same mechanism
    h = new Harness(dir, new RenewalPolicy(0.5));
  }

  @AfterEach
  void stop() throws Exception {
    h.close();
  }

  @Test
  void a_registered_device_gets_each_next_key_before_the_last_expires_and_never_fails_to_connect()
      throws Exception {
    h.givenEnabler(FQDN, Duration.ofSeconds(6));
    h.givenDevice("ep1", DM_PSK, FQDN);
    DeviceClient device = h.startDevice("ep1", "ep1-dm", DM_PSK);
    // every version the device receives, with when it arrived and when the previous one expired
    Map<Integer, Instant> arrived = new ConcurrentHashMap<>();
    Map<Integer, Instant> expiry = new ConcurrentHashMap<>();
    device.onParametersChanged(
        s -> {
          if (s.hasKey() && arrived.putIfAbsent(s.keyVersion(), Instant.now()) == null) {
            expiry.put(s.keyVersion(), s.keyExpiry());
          }
        });
    List<ConnectionResult> results = new CopyOnWriteArrayList<>();
    AtomicInteger newestConnected = new AtomicInteger();
    try (EnablerSessions sessions =
        EnablerSessions.builder(device)
            .interval(Duration.ofMillis(300))
            .listener(
                (fqdn, version, result) -> {
                  results.add(result);
                  if (result.success()) {
                    newestConnected.accumulateAndGet(version, Math::max);
                  }
                })
            .build()) {
      sessions.start();

      await().atMost(Duration.ofSeconds(30)).until(() -> newestConnected.get() >= 3);
    }

    assertThat(results).allSatisfy(r -> assertThat(r.success()).as(r.detail()).isTrue());
    assertThat(results.size()).isGreaterThan(5);
    for (int v = 2; v <= 3; v++) {
      assertThat(arrived.get(v))
          .as("version %d arrived before version %d expired", v, v - 1)
          .isBefore(expiry.get(v - 1));
    }
    assertThat(h.km.audit().recent(200))
        .filteredOn(e -> e.action().equals("key.minted"))
        .hasSizeGreaterThanOrEqualTo(3);
  }

  @Test
  void an_offline_devices_key_reads_expired_and_is_renewed_when_it_comes_back() throws Exception {
    h.givenEnabler(FQDN, Duration.ofSeconds(3));
    h.givenDevice("ep1", DM_PSK, FQDN);
    DeviceClient device = h.startDevice("ep1", "ep1-dm", DM_PSK);
    await().until(() -> device.enablerParameters().size() == 1);
    h.awaitState("ep1", FQDN, ProvisioningState.PROVISIONED);
    device.close();
    await().until(() -> h.dm.registration("ep1").isEmpty());

    h.awaitState("ep1", FQDN, ProvisioningState.EXPIRED);
    Assignment expired = h.km.ledger().assignments("ep1").get(0);
    assertThat(expired.detail()).contains("renewed at the device's next registration");
    assertThat(h.km.admin().counts()).containsEntry("expired", 1L);

    DeviceClient back = h.startDevice("ep1", "ep1-dm", DM_PSK);

    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                back.enablerParameters().stream()
                    .mapToInt(EnablerSecurityState::keyVersion)
                    .anyMatch(v -> v >= 2));
    ConnectionResult result = back.connector().connect(FQDN);
    assertThat(result.success()).as(result.detail()).isTrue();
    assertThat(h.km.ledger().assignments("ep1").get(0).state())
        .isIn(ProvisioningState.PROVISIONED, ProvisioningState.PENDING);
  }

  @Test
  void a_device_once_unsupported_is_provisioned_when_it_registers_with_the_object() {
    h.givenEnabler(FQDN);
    h.givenDevice("ep1", DM_PSK, FQDN);
    var legacy = LegacyClient.start(h, "ep1", "ep1-dm", DM_PSK);
    h.awaitState("ep1", FQDN, ProvisioningState.UNSUPPORTED);
    legacy.destroy(true);
    await().until(() -> h.dm.registration("ep1").isEmpty());

    // the firmware update: same endpoint, now with object 33001
    DeviceClient device = h.startDevice("ep1", "ep1-dm", DM_PSK);

    h.awaitState("ep1", FQDN, ProvisioningState.PROVISIONED);
    await().until(() -> device.enablerParameters().size() == 1);
  }

  @Test
  void a_revoked_key_is_replaced_on_a_registered_device_at_once() {
    h.givenEnabler(FQDN);
    h.givenDevice("ep1", DM_PSK, FQDN);
    DeviceClient device = h.startDevice("ep1", "ep1-dm", DM_PSK);
    await().until(() -> device.enablerParameters().size() == 1);
    String revoked = device.enablerParameters().get(0).pskIdentity();

    h.km.admin().revoke(new org.keyprov.keys.gba.BTid(revoked), "test");

    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                device.enablerParameters().get(0).keyVersion() == 2
                    && !device.enablerParameters().get(0).pskIdentity().equals(revoked));
    ConnectionResult result = device.connector().connect(FQDN);
    assertThat(result.success()).as(result.detail()).isTrue();
  }

  @Test
  void deleting_a_device_ends_its_registration_and_dtls_session_at_once() {
    h.givenEnabler(FQDN);
    h.givenDevice("ep1", DM_PSK, FQDN);
    DeviceClient device = h.startDevice("ep1", "ep1-dm", DM_PSK);
    h.awaitState("ep1", FQDN, ProvisioningState.PROVISIONED);
    List<Boolean> registrations = new CopyOnWriteArrayList<>();
    device.onRegistration(registrations::add);

    h.km.admin().deleteDevice("ep1", "test");

    await().atMost(Duration.ofSeconds(5)).until(() -> h.dm.registration("ep1").isEmpty());
    // its next contact needs a new DTLS handshake, which the deleted credential cannot pass
    device.triggerRegistrationUpdate();
    await().atMost(Duration.ofSeconds(30)).until(() -> registrations.contains(false));
    assertThat(h.dm.registration("ep1")).isEmpty();
  }
}
