package org.keyprov.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.eclipse.leshan.client.LeshanClient;
import org.eclipse.leshan.client.LeshanClientBuilder;
import org.eclipse.leshan.client.californium.endpoint.CaliforniumClientEndpointsProvider;
import org.eclipse.leshan.client.californium.endpoint.coap.CoapClientProtocolProvider;
import org.eclipse.leshan.client.object.Device;
import org.eclipse.leshan.client.object.Security;
import org.eclipse.leshan.client.object.Server;
import org.eclipse.leshan.client.observer.LwM2mClientObserverAdapter;
import org.eclipse.leshan.client.resource.ObjectsInitializer;
import org.eclipse.leshan.client.servers.LwM2mServer;
import org.eclipse.leshan.core.LwM2mId;
import org.eclipse.leshan.core.ResponseCode;
import org.eclipse.leshan.core.endpoint.Protocol;
import org.eclipse.leshan.core.request.RegisterRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.keyprov.client.DeviceClient;
import org.keyprov.keys.AuditEvent;
import org.keyprov.server.DmServer;

/** What the DM server refuses is refused for everyone, and audited. */
class DmRefusalsIT {
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

  @Test
  void an_undeclared_endpoint_cannot_register_over_plain_coap() {
    DmServer withCoap =
        DmServer.builder()
            .credentials(h.km.dmCredentials())
            .admin(h.km.admin())
            .ledger(h.km.ledger())
            .audit(h.km.audit())
            .coapsAddress(Harness.LOOPBACK_ANY_PORT)
            .coapAddress(Harness.LOOPBACK_ANY_PORT)
            .build();
    withCoap.start();
    h.onClose(withCoap);
    List<ResponseCode> answers = new CopyOnWriteArrayList<>();

    LeshanClient stranger = plainCoapClient(withCoap, "stranger", answers);

    await().atMost(Duration.ofSeconds(20)).until(() -> !answers.isEmpty());
    assertThat(answers.get(0)).isEqualTo(ResponseCode.FORBIDDEN);
    assertThat(withCoap.registration("stranger")).isEmpty();
    assertThat(h.km.audit().recent(20))
        .anySatisfy(
            e -> {
              assertThat(e.action()).isEqualTo("dm.registration.refused");
              assertThat(e.subject()).isEqualTo("stranger");
              assertThat(e.detail()).contains("undeclared endpoint over plain CoAP");
            });
    stranger.destroy(false);
  }

  @Test
  void a_handshake_with_an_unknown_dm_identity_is_audited() {
    List<Boolean> outcomes = new CopyOnWriteArrayList<>();
    DeviceClient device = h.startDevice("ghost", "ghost-dm", DM_PSK);
    device.onRegistration(outcomes::add);

    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                h.km.audit().recent(20).stream()
                    .map(AuditEvent::action)
                    .anyMatch("dm.handshake.refused"::equals));
    assertThat(h.km.audit().recent(20))
        .filteredOn(e -> e.action().equals("dm.handshake.refused"))
        .first()
        .satisfies(e -> assertThat(e.subject()).isEqualTo("ghost-dm"));
    assertThat(h.dm.registration("ghost")).isEmpty();
  }

  @Test
  void a_handshake_with_a_wrong_dm_psk_for_a_known_device_is_audited_as_failed() {
    h.km.admin().addDevice("ep1", "ep1-dm", DM_PSK, "test");
    h.startDevice("ep1", "ep1-dm", "not-the-dm-psk-0001".getBytes());

    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () ->
                assertThat(h.km.audit().recent(20))
                    .filteredOn(e -> e.action().equals("dm.handshake.failed"))
                    .first()
                    .satisfies(
                        e -> {
                          assertThat(e.actor()).isEqualTo("dm-server");
                          assertThat(e.subject()).isEqualTo("ep1-dm");
                          assertThat(e.detail()).contains("DM PSK is not the one");
                        }));
    assertThat(h.dm.registration("ep1")).isEmpty();
  }

  @Test
  void a_changed_dm_psk_ends_the_session_at_once_and_only_the_new_one_registers() {
    h.km.admin().addDevice("ep1", "ep1-dm", DM_PSK, "test");
    DeviceClient old = h.startDevice("ep1", "ep1-dm", DM_PSK);
    await().until(() -> h.dm.registration("ep1").isPresent());
    String firstRegistration = h.dm.registration("ep1").orElseThrow().getId();

    byte[] fresh = h.km.admin().changeDmPsk("ep1", "operator").key();

    // the old session and registration end, and the old PSK cannot register again
    await().atMost(Duration.ofSeconds(5)).until(() -> h.dm.registration("ep1").isEmpty());
    old.triggerRegistrationUpdate();
    await()
        .during(Duration.ofSeconds(1))
        .atMost(Duration.ofSeconds(3))
        .until(() -> h.dm.registration("ep1").isEmpty());
    old.close();
    DeviceClient reflashed = h.startDevice("ep1", "ep1-dm", fresh);
    await().until(() -> h.dm.registration("ep1").isPresent());
    assertThat(h.dm.registration("ep1").orElseThrow().getId()).isNotEqualTo(firstRegistration);
    assertThat(h.km.audit().recent(50))
        .anySatisfy(e -> assertThat(e.action()).isEqualTo("device.dm_psk_changed"))
        .noneSatisfy(
            e -> assertThat(e.detail()).contains(java.util.HexFormat.of().formatHex(fresh)));
    reflashed.close();
  }

  private static LeshanClient plainCoapClient(
      DmServer server, String endpoint, List<ResponseCode> answers) {
    ObjectsInitializer initializer = new ObjectsInitializer();
    String uri = server.uri(Protocol.COAP).toString();
    initializer.setInstancesForObject(LwM2mId.SECURITY, Security.noSec(uri, 1));
    initializer.setInstancesForObject(LwM2mId.SERVER, new Server(1, 300));
    initializer.setInstancesForObject(LwM2mId.DEVICE, new Device("x", "x", endpoint));
    LeshanClientBuilder builder = new LeshanClientBuilder(endpoint);
    builder.setObjects(initializer.create(LwM2mId.SECURITY, LwM2mId.SERVER, LwM2mId.DEVICE));
    builder.setEndpointsProviders(
        new CaliforniumClientEndpointsProvider.Builder(new CoapClientProtocolProvider()).build());
    LeshanClient client = builder.build();
    client.addObserver(
        new LwM2mClientObserverAdapter() {
          @Override
          public void onRegistrationFailure(
              LwM2mServer s,
              RegisterRequest request,
              ResponseCode code,
              String message,
              Exception cause) {
            answers.add(code);
          }

          @Override
          public void onRegistrationSuccess(LwM2mServer s, RegisterRequest request, String id) {
            answers.add(ResponseCode.CREATED);
          }
        });
    client.start();
    return client;
  }
}
