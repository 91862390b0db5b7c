package org.keyprov.web.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.keyprov.keys.EnablerProfile;
import org.keyprov.keys.KeyManager;
import org.keyprov.keys.OperatorAccounts.Role;
import org.keyprov.keys.store.testing.TestKeyManagers;

/**
 * The operator API over HTTP on loopback (Jetty and Javalin as in production, without TLS), a real
 * Key Manager (H2) and a fake DM server: routing, binding, errors, tokens and the contract.
 */
class RoutesTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;
  private KeyManager km;
  private FakeDevices devices;
  private Server jetty;
  private URI base;
  private final HttpClient http = HttpClient.newHttpClient();
  private String aliceToken;

  @BeforeEach
  void start() throws Exception {
    km = TestKeyManagers.started(dir);
    devices = new FakeDevices();
    jetty = new Server();
    ServerConnector connector = new ServerConnector(jetty);
    connector.setHost("127.0.0.1");
    connector.setPort(0);
    jetty.addConnector(connector);
    jetty.setHandler(new ApiHandler(km, devices, Clock.systemUTC()));
    jetty.start();
    base = URI.create("http://127.0.0.1:" + connector.getLocalPort() + "/api/v1/");
    km.operators().create("alice", "correct horse battery".toCharArray(), Role.OPERATOR, "test");
    aliceToken = km.tokens().issue("alice", "tests", Role.OPERATOR, "test").secret();
    km.admin()
        .putEnabler(
            EnablerProfile.dtls(
                "a.enabler.test", URI.create("coaps://127.0.0.1:1"), Duration.ofDays(1)),
            "test");
  }

  @AfterEach
  void stop() throws Exception {
    jetty.stop();
    km.close();
  }

  private HttpResponse<String> send(String method, String path, String body, String... headers)
      throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(base.resolve(path))
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body));
    if (headers.length > 0) {
      b.headers(headers);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** As alice, with her API token: the JSON answer, checked to have {@code status}. */
  private JsonNode call(String method, String path, String body, int status) throws Exception {
    HttpResponse<String> r = send(method, path, body, "Authorization", "Bearer " + aliceToken);
    assertThat(r.statusCode()).as(method + " " + path + ": " + r.body()).isEqualTo(status);
    return r.body().isEmpty() ? null : JSON.readTree(r.body());
  }

  @Test
  void devices_and_the_dashboard_read_online_from_the_dm_server() throws Exception {
    call("POST", "devices", "{\"endpoint\":\"ep-on\"}", 201);
    call("POST", "devices", "{\"endpoint\":\"ep-off\"}", 201);
    devices.registered.add("ep-on");

    JsonNode items = call("GET", "devices", null, 200).get("items");
    assertThat(items)
        .extracting(i -> i.get("endpoint").asText())
        .containsExactly("ep-off", "ep-on");
    assertThat(items).extracting(i -> i.get("online").asBoolean()).containsExactly(false, true);
    assertThat(call("GET", "devices/ep-on", null, 200).get("online").asBoolean()).isTrue();
    assertThat(call("GET", "dashboard", null, 200).get("online").asLong()).isEqualTo(1);
  }

  @Test
  void an_assignment_nudges_the_dm_server_and_is_audited_under_the_token() throws Exception {
    call("POST", "devices", "{\"endpoint\":\"ep1\"}", 201);

    HttpResponse<String> r =
        send(
            "POST",
            "devices/ep1/assignments",
            "{\"enabler\":\"a.enabler.test\"}",
            "Authorization",
            "Bearer " + aliceToken);

    assertThat(r.statusCode()).isEqualTo(201);
    assertThat(r.headers().firstValue("Location"))
        .hasValue("/api/v1/devices/ep1/assignments/a.enabler.test");
    assertThat(devices.nudged).containsExactly("ep1");
    assertThat(km.ledger().assignments("ep1"))
        .singleElement()
        .satisfies(a -> assertThat(a.nafFqdn()).isEqualTo("a.enabler.test"));
    assertThat(km.audit().recent(10))
        .filteredOn(e -> e.action().equals("enabler.assigned"))
        .singleElement()
        .satisfies(e -> assertThat(e.actor()).isEqualTo("alice (token tests)"));
  }

  @Test
  void the_console_hears_the_dm_servers_events() {
    assertThat(devices.listeners).as("the live feed listens to the DM server").hasSize(1);
  }

  @Test
  void a_created_device_has_a_location_and_its_generated_psk_once() throws Exception {
    HttpResponse<String> r =
        send(
            "POST",
            "devices",
            "{\"endpoint\":\"urn:imei:1 2\"}",
            "Authorization",
            "Bearer " + aliceToken);

    assertThat(r.statusCode()).isEqualTo(201);
    assertThat(r.headers().firstValue("Location")).hasValue("/api/v1/devices/urn%3Aimei%3A1%202");
    assertThat(JSON.readTree(r.body()).get("dmPsk").asText()).matches("[0-9a-f]{32,}");
    JsonNode again = call("GET", "devices/urn%3Aimei%3A1%202", null, 200);
    assertThat(again.get("endpoint").asText()).isEqualTo("urn:imei:1 2");
    assertThat(again.has("dmPsk")).isFalse();
  }

  @Test
  void errors_are_problem_json_naming_the_field() throws Exception {
    HttpResponse<String> typo =
        send(
            "POST",
            "devices",
            "{\"endpoint\":\"ep1\",\"dmPskk\":\"00112233445566778899aabbccddeeff\"}",
            "Authorization",
            "Bearer " + aliceToken);

    assertThat(typo.statusCode()).isEqualTo(400);
    assertThat(typo.headers().firstValue("Content-Type")).hasValue("application/problem+json");
    JsonNode problem = JSON.readTree(typo.body());
    assertThat(problem.get("type").asText()).isEqualTo("urn:keyprov:problem:invalid");
    assertThat(problem.get("title").asText()).isEqualTo("Bad Request");
    assertThat(problem.get("status").asInt()).isEqualTo(400);
    assertThat(problem.get("field").asText()).isEqualTo("dmPskk");
    assertThat(problem.get("detail").asText()).contains("unknown field 'dmPskk'").contains("dmPsk");
    assertThat(km.admin().device("ep1")).as("nothing stored").isEmpty();

    JsonNode notHex = call("POST", "devices", "{\"endpoint\":\"ep1\",\"dmPsk\":\"not hex\"}", 400);
    assertThat(notHex.get("field").asText()).isEqualTo("dmPsk");
    assertThat(notHex.get("detail").asText()).isEqualTo("dmPsk must be hex, 16 to 64 bytes");

    JsonNode missing = call("POST", "devices", "{}", 400);
    assertThat(missing.get("field").asText()).isEqualTo("endpoint");

    JsonNode wrongType =
        call(
            "POST",
            "enablers",
            "{\"fqdn\":\"x.test\",\"uri\":5,\"keyLifetimeSeconds\":\"soon\"}",
            400);
    assertThat(wrongType.get("field").asText()).isEqualTo("keyLifetimeSeconds");

    assertThat(call("POST", "devices", "not json", 400).get("detail").asText())
        .isEqualTo("the body is not valid JSON");
    assertThat(call("GET", "devices/nobody", null, 404).get("code").asText())
        .isEqualTo("not_found");
    assertThat(call("GET", "nothing/here", null, 404).get("detail").asText())
        .contains("GET /api/v1/nothing/here");
  }

  @Test
  void a_known_path_with_another_method_is_405_with_allow() throws Exception {
    HttpResponse<String> r =
        send("PATCH", "devices", "{}", "Authorization", "Bearer " + aliceToken);

    assertThat(r.statusCode()).isEqualTo(405);
    assertThat(r.headers().firstValue("Allow")).hasValue("GET, POST");
    assertThat(JSON.readTree(r.body()).get("detail").asText()).contains("use GET, POST");
    assertThat(send("DELETE", "dashboard", null).headers().firstValue("Allow")).hasValue("GET");
    assertThat(send("PUT", "devices/ep1", "{}").headers().firstValue("Allow"))
        .hasValue("GET, DELETE");
  }

  @Test
  void a_session_needs_its_csrf_token_and_a_token_needs_none() throws Exception {
    HttpResponse<String> login =
        send(
            "POST",
            "session",
            "{\"username\":\"alice\",\"password\":\"correct horse battery\"}",
            "Content-Type",
            "application/json");
    assertThat(login.statusCode()).isEqualTo(200);
    String cookie = login.headers().firstValue("Set-Cookie").orElseThrow().split(";")[0];
    assertThat(login.headers().firstValue("Set-Cookie").orElseThrow())
        .contains("HttpOnly", "Secure", "SameSite=Strict");
    String csrf = JSON.readTree(login.body()).get("csrfToken").asText();

    assertThat(send("POST", "devices", "{\"endpoint\":\"ep1\"}", "Cookie", cookie).statusCode())
        .isEqualTo(403);
    assertThat(
            send(
                    "POST",
                    "devices",
                    "{\"endpoint\":\"ep1\"}",
                    "Cookie",
                    cookie,
                    "X-CSRF-Token",
                    csrf)
                .statusCode())
        .isEqualTo(201);
    assertThat(call("POST", "devices", "{\"endpoint\":\"ep2\"}", 201)).isNotNull();
    assertThat(send("GET", "devices", null).statusCode()).isEqualTo(401);
  }

  @Test
  void tokens_are_shown_once_scoped_and_revocable() throws Exception {
    HttpResponse<String> login =
        send("POST", "session", "{\"username\":\"alice\",\"password\":\"correct horse battery\"}");
    String cookie = login.headers().firstValue("Set-Cookie").orElseThrow().split(";")[0];
    String csrf = JSON.readTree(login.body()).get("csrfToken").asText();
    HttpResponse<String> issued =
        send(
            "POST",
            "tokens",
            "{\"name\":\"read-only\",\"scope\":\"auditor\"}",
            "Cookie",
            cookie,
            "X-CSRF-Token",
            csrf);
    assertThat(issued.statusCode()).isEqualTo(201);
    JsonNode token = JSON.readTree(issued.body());
    String secret = token.get("secret").asText();
    assertThat(secret).startsWith("kpt_");
    assertThat(issued.headers().firstValue("Location"))
        .hasValue("/api/v1/tokens/" + token.get("id").asText());
    assertThat(call("GET", "tokens", null, 200).toString())
        .contains("read-only")
        .doesNotContain(secret);

    String bearer = "Bearer " + secret;
    assertThat(send("GET", "devices", null, "Authorization", bearer).statusCode()).isEqualTo(200);
    HttpResponse<String> write =
        send("POST", "devices", "{\"endpoint\":\"ep1\"}", "Authorization", bearer);
    assertThat(write.statusCode()).isEqualTo(403);
    assertThat(write.body()).contains("scoped to auditor");
    assertThat(call("POST", "tokens", "{\"name\":\"more\"}", 403).get("detail").asText())
        .contains("a token cannot issue tokens");
    JsonNode tooStrong =
        JSON.readTree(
            send(
                    "POST",
                    "tokens",
                    "{\"name\":\"root\",\"scope\":\"admin\"}",
                    "Cookie",
                    cookie,
                    "X-CSRF-Token",
                    csrf)
                .body());
    assertThat(tooStrong.get("field").asText()).isEqualTo("scope");

    call("DELETE", "tokens/" + token.get("id").asText(), null, 204);

    HttpResponse<String> revoked = send("GET", "devices", null, "Authorization", bearer);
    assertThat(revoked.statusCode()).isEqualTo(401);
    assertThat(revoked.body()).contains("unknown or revoked");
    assertThat(km.audit().recent(10))
        .extracting(e -> e.action())
        .contains("api-token.issued", "api-token.revoked");
  }

  @Test
  void every_operation_is_in_the_generated_contract_with_its_schemas() throws Exception {
    JsonNode spec = JSON.readTree(send("GET", "openapi.json", null).body());

    assertThat(spec.get("openapi").asText()).isEqualTo("3.1.0");
    List<String> missing = new ArrayList<>();
    for (Api.Operation o :
        ApiHandler.operations(km, devices, () -> null, null, null).operations()) {
      JsonNode op = spec.path("paths").path(o.path()).path(o.method().toLowerCase());
      if (op.isMissingNode() || !op.has("responses") || !op.has("security")) {
        missing.add(o.method() + " " + o.path());
      }
    }
    assertThat(missing).as("operations missing from openapi.json").isEmpty();
    assertThat(spec.path("paths").path("/openapi.json").has("get")).isTrue();
    JsonNode create = spec.path("paths").path("/devices").path("post");
    assertThat(
            create
                .path("requestBody")
                .path("content")
                .path("application/json")
                .path("schema")
                .path("$ref")
                .asText())
        .isEqualTo("#/components/schemas/NewDevice");
    JsonNode newDevice = spec.path("components").path("schemas").path("NewDevice");
    assertThat(newDevice.path("additionalProperties").asBoolean(true)).isFalse();
    assertThat(newDevice.path("required")).extracting(JsonNode::asText).containsExactly("endpoint");
    assertThat(newDevice.path("properties").path("dmPsk").path("pattern").asText()).isNotEmpty();
    assertThat(create.path("responses").path("201").path("headers").has("Location")).isTrue();
    assertThat(create.path("responses").path("400").path("content").has("application/problem+json"))
        .isTrue();
    assertThat(spec.path("components").path("securitySchemes").fieldNames())
        .toIterable()
        .containsExactlyInAnyOrder("session", "csrf", "token", "local");
    assertThat(
            spec.at("/components/schemas/DeviceDetail/properties/registration/oneOf/1/type")
                .asText())
        .as("a device not registered has no registration")
        .isEqualTo("null");
    // every reference resolves
    List<String> refs = new ArrayList<>();
    spec.findValues("$ref").forEach(r -> refs.add(r.asText()));
    assertThat(refs).isNotEmpty();
    for (String ref : refs) {
      assertThat(spec.at(ref.substring(1)).isMissingNode()).as(ref).isFalse();
    }
  }

  @Test
  void the_api_browser_is_served_from_the_webjar() throws Exception {
    HttpResponse<String> page =
        http.send(
            HttpRequest.newBuilder(base.resolve("/api/docs/")).build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.body()).contains("swagger-ui-bundle.js").doesNotContain("http");
    HttpResponse<String> bundle =
        http.send(
            HttpRequest.newBuilder(base.resolve("/api/docs/swagger-ui-bundle.js")).build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(bundle.statusCode()).isEqualTo(200);
    assertThat(bundle.body().length()).isGreaterThan(100_000);
  }

  @Test
  void a_bulk_action_does_each_device_on_its_own_and_names_those_it_could_not() throws Exception {
    call("POST", "devices", "{\"endpoint\":\"ep1\"}", 201);
    call("POST", "devices", "{\"endpoint\":\"ep2\"}", 201);
    call("POST", "devices/ep1/assignments", "{\"enabler\":\"a.enabler.test\"}", 201);

    JsonNode r =
        call(
            "POST",
            "devices/bulk",
            "{\"action\":\"reprovision\",\"endpoints\":[\"ep1\",\"nobody\",\"ep2\"]}",
            200);

    assertThat(r.get("done").asInt()).isEqualTo(2);
    assertThat(r.get("failed").get(0).get("endpoint").asText()).isEqualTo("nobody");
    assertThat(devices.nudged).contains("ep1", "ep2");
    JsonNode bad =
        call("POST", "devices/bulk", "{\"action\":\"explode\",\"endpoints\":[\"ep1\"]}", 400);
    assertThat(bad.get("field").asText()).isEqualTo("action");
    assertThat(
            call("POST", "devices/bulk", "{\"action\":\"delete\",\"endpoints\":[]}", 400)
                .get("field")
                .asText())
        .isEqualTo("endpoints");
    assertThat(
            call(
                    "POST",
                    "devices/bulk",
                    "{\"action\":\"delete\",\"endpoints\":[\"ep1\",\"ep2\"]}",
                    200)
                .get("done")
                .asInt())
        .isEqualTo(2);
    assertThat(km.admin().devices()).isEmpty();
  }

  @Test
  void the_audit_log_pages_by_event_id() throws Exception {
    for (int i = 0; i < 5; i++) {
      km.audit().record("test", "paging.test", "ep", "event " + i);
    }
    JsonNode first = call("GET", "audit?action=paging.test&limit=3", null, 200);
    assertThat(first)
        .extracting(e -> e.get("detail").asText())
        .containsExactly("event 4", "event 3", "event 2");
    long last = first.get(2).get("id").asLong();
    JsonNode next = call("GET", "audit?action=paging.test&limit=3&before=" + last, null, 200);
    assertThat(next)
        .extracting(e -> e.get("detail").asText())
        .containsExactly("event 1", "event 0");
    assertThat(call("GET", "audit?before=soon", null, 400).get("field").asText())
        .isEqualTo("before");
  }
}
