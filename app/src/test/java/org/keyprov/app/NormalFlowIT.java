package org.keyprov.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import org.eclipse.leshan.core.ResponseCode;
import org.eclipse.leshan.core.request.ReadRequest;
import org.eclipse.leshan.core.response.ReadResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.keyprov.client.ConnectionResult;
import org.keyprov.client.DeviceClient;
import org.keyprov.client.object.EnablerSecurityState;
import org.keyprov.client.transport.DtlsPskChannel;
import org.keyprov.keys.Assignment;
import org.keyprov.keys.ProvisioningState;
import org.keyprov.models.EnablerSecurityObject;

/** The seed's normal flow, end to end on loopback, and the ways it must refuse. */
class NormalFlowIT {
  private static final byte[] DM_PSK = "device-dm-psk-0001".getBytes();

  @TempDir Path dir;
  private Harness h;

  @BeforeEach
  void start() {
    h = new Harness(dir);
  }

  @AfterEach
  void stop() throws Exception {
    h.close();
  }

  /**
   * {@code reportWithSend}: keyprov's client sends its connection results (LwM2M Send) and is not
   * observed; a client that does not say so (any other LwM2M client) is observed instead.
   */
  @ParameterizedTest(name = "connection results sent by the device: {0}")
  @ValueSource(booleans = {true, false})
  void provisions_on_registration_and_the_device_connects_to_the_enabler(boolean reportWithSend) {
    h.givenEnabler("a.enabler.test");
    h.givenDevice("ep1", DM_PSK, "a.enabler.test");

    DeviceClient device =
        h.startDevice("ep1", "ep1-dm", DM_PSK, b -> b.reportWithSend(reportWithSend));

    // the object arrives without any call from the test
    h.awaitState("ep1", "a.enabler.test", ProvisioningState.PROVISIONED);
    await().until(() -> device.enablerParameters().size() == 1);
    EnablerSecurityState params = device.enablerParameters().get(0);
    assertThat(params.pskIdentity()).endsWith("@km.test");
    assertThat(params.source()).isEqualTo(EnablerSecurityObject.SOURCE_DM_SERVER);

    ConnectionResult result = device.connector().connect("a.enabler.test");

    assertThat(result.success()).as(result.detail()).isTrue();
    assertThat(result.detail()).contains("identity=" + params.pskIdentity());
    // the device's "last connection result" reaches the server
    h.awaitConnectionOk("ep1");
    var registration = h.dm.registrationInfo("ep1").orElseThrow();
    assertThat(registration.reportsBySend()).isEqualTo(reportWithSend);
    assertThat(registration.observed()).as("object 33001 observed").isEqualTo(!reportWithSend);
  }

  @Test
  void a_result_made_while_the_server_was_out_of_reach_is_sent_at_the_next_registration() {
    h.givenEnabler("a.enabler.test");
    h.givenDevice("ep1", DM_PSK, "a.enabler.test");
    DeviceClient first = h.startDevice("ep1", "ep1-dm", DM_PSK);
    h.awaitState("ep1", "a.enabler.test", ProvisioningState.PROVISIONED);
    await().until(() -> first.enablerParameters().size() == 1);
    first.close();

    // the same device (state file), out of the DM server's reach (nothing answers on the port it
    // has), connects to the Enabler
    try (DeviceClient offline =
        DeviceClient.builder()
            .endpoint("ep1")
            .dmServer(URI.create("coaps://127.0.0.1:9"))
            .dmPsk("ep1-dm", DM_PSK)
            .stateFile(dir.resolve("ep1.state"))
            .connectTimeout(Duration.ofSeconds(5))
            .build()) {
      assertThat(offline.connector().connect("a.enabler.test").success()).isTrue();
    }
    assertThat(h.km.ledger().assignments("ep1").get(0).lastConnectionResult()).isEmpty();

    h.startDevice("ep1", "ep1-dm", DM_PSK);
    h.awaitConnectionOk("ep1");
    assertThat(h.dm.registrationInfo("ep1").orElseThrow().observed()).isFalse();
  }

  @Test
  void a_wrong_dm_psk_does_not_register() {
    h.givenDevice("ep1", DM_PSK);
    List<Boolean> outcomes = new java.util.concurrent.CopyOnWriteArrayList<>();

    DeviceClient device = h.startDevice("ep1", "ep1-dm", "wrong-dm-psk-00001".getBytes());
    device.onRegistration(outcomes::add);

    await().atMost(Duration.ofSeconds(30)).until(() -> outcomes.contains(false));
    assertThat(h.dm.registration("ep1")).isEmpty();
    assertThat(device.isRegistered()).isFalse();
  }

  @Test
  void a_key_for_enabler_a_is_refused_by_enabler_b() {
    h.givenEnabler("a.enabler.test");
    var b = h.givenEnabler("b.enabler.test");
    h.givenDevice("ep1", DM_PSK, "a.enabler.test");
    DeviceClient device = h.startDevice("ep1", "ep1-dm", DM_PSK);
    await().until(() -> device.enablerParameters().size() == 1);
    EnablerSecurityState keyForA = device.enablerParameters().get(0);

    var answer =
        DtlsPskChannel.get(
            URI.create(b.uri() + "/whoami"),
            keyForA.pskIdentity(),
            keyForA.pskKey(),
            List.of(0xC0A8),
            Duration.ofSeconds(5));

    assertThat(answer.success()).isFalse();
    await().until(() -> h.refusals.contains("b.enabler.test OTHER_NAF " + keyForA.pskIdentity()));
  }

  @Test
  void an_unknown_identity_is_refused_and_audited() {
    h.givenEnabler("a.enabler.test");
    String unknown = "AAAAAAAAAAAAAAAAAAAAAA==@km.test";
    var answer =
        DtlsPskChannel.get(
            URI.create(h.km.admin().enabler("a.enabler.test").orElseThrow().uri() + "/whoami"),
            unknown,
            new byte[32],
            List.of(0xC0A8),
            Duration.ofSeconds(5));

    assertThat(answer.success()).isFalse();
    await().until(() -> h.refusals.contains("a.enabler.test UNKNOWN_IDENTITY " + unknown));
    assertThat(h.km.audit().recent(20))
        .anySatisfy(
            e -> {
              assertThat(e.action()).isEqualTo("key.lookup");
              assertThat(e.subject()).isEqualTo(unknown);
              assertThat(e.detail()).startsWith("refused UNKNOWN_IDENTITY (5403)");
            });
  }

  @Test
  void a_url_off_the_allow_list_is_refused_by_the_device() {
    h.givenEnabler("a.enabler.test");
    h.givenDevice("ep1", DM_PSK, "a.enabler.test");
    DeviceClient device = h.startDevice("ep1", "ep1-dm", DM_PSK);
    await().until(() -> device.enablerParameters().size() == 1);

    ConnectionResult result =
        device
            .connector()
            .connect("a.enabler.test", URI.create("coaps://evil.example:5684/whoami"));

    assertThat(result.success()).isFalse();
    assertThat(result.detail()).contains("not on the URL allow-list");
    assertThat(device.enablerParameters().get(0).lastConnectionResult())
        .hasValueSatisfying(r -> assertThat(r).startsWith("FAILED: refused"));
  }

  @Test
  void reading_the_key_answers_method_not_allowed() throws Exception {
    h.givenEnabler("a.enabler.test");
    h.givenDevice("ep1", DM_PSK, "a.enabler.test");
    DeviceClient device = h.startDevice("ep1", "ep1-dm", DM_PSK);
    h.awaitState("ep1", "a.enabler.test", ProvisioningState.PROVISIONED);
    await().until(() -> device.enablerParameters().size() == 1);
    int instance = device.enablerParameters().get(0).instanceId();

    ReadResponse response =
        h.dm.send(
            "ep1",
            new ReadRequest(
                EnablerSecurityObject.ID, instance, EnablerSecurityObject.PSK_SECRET_KEY));

    assertThat(response.getCode()).isEqualTo(ResponseCode.METHOD_NOT_ALLOWED);
  }

  @Test
  void the_device_keeps_its_parameters_in_an_owner_only_file_across_restarts() throws Exception {
    h.givenEnabler("a.enabler.test");
    h.givenDevice("ep1", DM_PSK, "a.enabler.test");
    DeviceClient device = h.startDevice("ep1", "ep1-dm", DM_PSK);
    await().until(() -> device.enablerParameters().size() == 1);
    String identity = device.enablerParameters().get(0).pskIdentity();
    device.close();

    Path file = dir.resolve("ep1.state");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
        .isEqualTo("rw-------");
    DeviceClient again =
        DeviceClient.builder()
            .endpoint("ep1")
            .dmServer(h.dm.coapsUri())
            .dmPsk("ep1-dm", DM_PSK)
            .stateFile(file)
            .build();
    assertThat(again.enablerParameters())
        .singleElement()
        .satisfies(s -> assertThat(s.pskIdentity()).isEqualTo(identity));
  }

  @Test
  void a_client_without_the_object_is_marked_unsupported() {
    h.givenEnabler("a.enabler.test");
    h.givenDevice("ep1", DM_PSK, "a.enabler.test");

    LegacyClient.start(h, "ep1", "ep1-dm", DM_PSK);

    h.awaitState("ep1", "a.enabler.test", ProvisioningState.UNSUPPORTED);
    Assignment a = h.km.ledger().assignments("ep1").get(0);
    assertThat(a.detail()).contains("does not implement object 33001");
    assertThat(a.nextAttemptAt()).isEmpty();
  }

  @Test
  void a_failed_write_is_recorded_with_the_device_code_and_retried_with_backoff() {
    h.givenEnabler("a.enabler.test");
    h.givenDevice("ep1", DM_PSK, "a.enabler.test");
    List<String> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
    h.dm.addListener(
        new org.keyprov.server.provisioning.ProvisioningListener() {
          @Override
          public void failed(String endpoint, String nafFqdn, String reason) {
            failures.add(reason);
          }
        });

    var creates = FlakyClient.start(h, "ep1", "ep1-dm", DM_PSK);

    h.awaitState("ep1", "a.enabler.test", ProvisioningState.PROVISIONED);
    assertThat(failures).singleElement().asString().contains("5.00 INTERNAL_SERVER_ERROR");
    assertThat(creates.get()).isEqualTo(2);
    assertThat(h.km.audit().recent(50))
        .anySatisfy(e -> assertThat(e.action()).isEqualTo("provisioning.failed"));
  }

  @Test
  void a_failed_observe_is_retried_so_the_connection_result_still_reaches_the_server() {
    h.givenEnabler("a.enabler.test");
    h.givenDevice("ep1", DM_PSK, "a.enabler.test");
    List<String> reports = new java.util.concurrent.CopyOnWriteArrayList<>();
    h.dm.addListener(
        new org.keyprov.server.provisioning.ProvisioningListener() {
          @Override
          public void connectionReported(String endpoint, String nafFqdn, String result) {
            reports.add(endpoint + " " + nafFqdn + " " + result);
          }
        });

    var device = FlakyClient.refusingObserves(h, "ep1", "ep1-dm", DM_PSK, 3);
    h.awaitState("ep1", "a.enabler.test", ProvisioningState.PROVISIONED);
    device.reportConnection(0, "ok");

    await()
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(() -> assertThat(reports).containsExactly("ep1 a.enabler.test ok"));
    assertThat(device.observes().get()).isGreaterThanOrEqualTo(4);
  }
}
