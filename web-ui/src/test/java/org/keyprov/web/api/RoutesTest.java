package org.keyprov.web.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import org.eclipse.jetty.util.Fields;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.keyprov.keys.EnablerProfile;
import org.keyprov.keys.KeyManager;
import org.keyprov.keys.OperatorAccounts.Role;
import org.keyprov.keys.store.testing.TestKeyManagers;

/**
 * The operator API's routes over a real Key Manager (H2) and a fake DM server: what the console
 * shows of the DM server and what it asks of it, without Leshan or sockets.
 */
class RoutesTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;
  private KeyManager km;
  private FakeDevices devices;
  private ApiHandler api;
  private Routes routes;
  private Sessions.Session alice;

  @BeforeEach
  void start() {
    km = TestKeyManagers.started(dir);
    devices = new FakeDevices();
    api = new ApiHandler(km, devices, Clock.systemUTC());
    routes = new Routes(api);
    alice =
        api.sessions.open(
            km.operators()
                .create("alice", "correct horse battery".toCharArray(), Role.OPERATOR, "test"));
    km.admin()
        .putEnabler(
            EnablerProfile.dtls(
                "a.enabler.test", URI.create("coaps://127.0.0.1:1"), Duration.ofDays(1)),
            "test");
  }

  @AfterEach
  void stop() {
    km.close();
  }

  private JsonNode call(String method, String path, String body) throws Exception {
    ApiHandler.Answer answer =
        routes.route(
            new ApiHandler.Call(
                method,
                Arrays.asList(path.split("/")),
                new Fields(),
                body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8),
                alice));
    return answer.body() == null ? null : JSON.readTree(answer.body());
  }

  @Test
  void devices_and_the_dashboard_read_online_from_the_dm_server() throws Exception {
    call("POST", "devices", "{\"endpoint\":\"ep-on\"}");
    call("POST", "devices", "{\"endpoint\":\"ep-off\"}");
    devices.registered.add("ep-on");

    JsonNode items = call("GET", "devices", null).get("items");
    assertThat(items)
        .extracting(i -> i.get("endpoint").asText())
        .containsExactly("ep-off", "ep-on");
    assertThat(items).extracting(i -> i.get("online").asBoolean()).containsExactly(false, true);
    assertThat(call("GET", "devices/ep-on", null).get("online").asBoolean()).isTrue();
    assertThat(call("GET", "dashboard", null).get("online").asLong()).isEqualTo(1);
  }

  @Test
  void an_assignment_nudges_the_dm_server_and_is_audited_under_the_operator() throws Exception {
    call("POST", "devices", "{\"endpoint\":\"ep1\"}");

    call("POST", "devices/ep1/assignments", "{\"enabler\":\"a.enabler.test\"}");

    assertThat(devices.nudged).containsExactly("ep1");
    assertThat(km.ledger().assignments("ep1"))
        .singleElement()
        .satisfies(a -> assertThat(a.nafFqdn()).isEqualTo("a.enabler.test"));
    assertThat(km.audit().recent(10))
        .filteredOn(e -> e.action().equals("enabler.assigned"))
        .singleElement()
        .satisfies(e -> assertThat(e.actor()).isEqualTo("alice"));
  }

  @Test
  void the_console_hears_the_dm_servers_events() {
    assertThat(devices.listeners).as("the live feed listens to the DM server").hasSize(1);
  }

  @Test
  void an_unknown_route_is_a_404_naming_it() {
    assertThatThrownBy(() -> call("GET", "nothing/here", null))
        .isInstanceOfSatisfying(
            ApiException.class,
            e -> assertThat(e.getMessage()).contains("GET /api/v1/nothing/here"));
  }
}
