package org.keyprov.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.CookieManager;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.keyprov.keys.OperatorAccounts.Role;
import org.keyprov.web.WebServer;

/** The operator REST API over real HTTPS against a running server. */
class OperatorApiIT {
  private static final String PASSWORD = "a long enough password";
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;
  private Harness h;
  private WebServer web;
  private SSLContext tls;

  @BeforeEach
  void start() throws Exception {
    h = new Harness(dir);
    web = h.startWeb(0);
    tls = h.pinnedTls();
    h.km.operators().create("alice", PASSWORD.toCharArray(), Role.OPERATOR, "test");
    h.km.operators().create("audrey", PASSWORD.toCharArray(), Role.AUDITOR, "test");
  }

  @AfterEach
  void stop() throws Exception {
    h.close();
  }

  /** A browser-like client: its own cookie jar and the CSRF token of its session. */
  private final class Client {
    final HttpClient http =
        HttpClient.newBuilder().sslContext(tls).cookieHandler(new CookieManager()).build();
    String csrf = "";

    Client login(String user) throws Exception {
      return login(user, PASSWORD);
    }

    Client login(String user, String password) throws Exception {
      HttpResponse<String> r =
          send(
              "POST",
              "session",
              "{\"username\":\"" + user + "\",\"password\":\"" + password + "\"}");
      assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
      assertThat(r.headers().firstValue("set-cookie").orElseThrow())
          .contains("HttpOnly")
          .contains("Secure")
          .contains("SameSite=Strict");
      csrf = JSON.readTree(r.body()).get("csrfToken").asText();
      return this;
    }

    HttpResponse<String> send(String method, String path, String body) throws Exception {
      return send(method, path, body, "application/json");
    }

    HttpResponse<String> send(String method, String path, String body, String type)
        throws Exception {
      HttpRequest.Builder b =
          HttpRequest.newBuilder(URI.create(web.uri() + "/api/v1/" + path))
              .header("Content-Type", type);
      if (!csrf.isEmpty()) {
        b.header("X-CSRF-Token", csrf);
      }
      b.method(
          method,
          body == null
              ? HttpRequest.BodyPublishers.noBody()
              : HttpRequest.BodyPublishers.ofString(body));
      return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    JsonNode json(String method, String path, String body, int expected) throws Exception {
      HttpResponse<String> r = send(method, path, body);
      assertThat(r.statusCode()).as(method + " " + path + ": " + r.body()).isEqualTo(expected);
      return r.body().isEmpty() ? null : JSON.readTree(r.body());
    }
  }

  @Test
  void refuses_calls_without_a_session_and_wrong_passwords() throws Exception {
    Client anonymous = new Client();
    assertThat(anonymous.send("GET", "devices", null).statusCode()).isEqualTo(401);
    assertThat(anonymous.send("POST", "devices", "{\"endpoint\":\"x\"}").statusCode())
        .isEqualTo(401);
    HttpResponse<String> wrong =
        anonymous.send(
            "POST", "session", "{\"username\":\"alice\",\"password\":\"nope nope nope\"}");
    assertThat(wrong.statusCode()).isEqualTo(401);
    assertThat(wrong.body()).contains("wrong username or password");
  }

  @Test
  void state_changes_need_the_csrf_token_and_a_writing_role() throws Exception {
    Client alice = new Client().login("alice");
    String token = alice.csrf;
    alice.csrf = "";
    assertThat(alice.send("POST", "devices", "{\"endpoint\":\"ep-csrf\"}").statusCode())
        .isEqualTo(403);
    alice.csrf = token;
    alice.json("POST", "devices", "{\"endpoint\":\"ep-csrf\"}", 201);

    Client audrey = new Client().login("audrey");
    assertThat(audrey.send("POST", "devices", "{\"endpoint\":\"ep-audit\"}").statusCode())
        .isEqualTo(403);
    assertThat(audrey.send("GET", "devices", null).statusCode()).isEqualTo(200);
  }

  @Test
  void shows_a_generated_dm_psk_once_and_never_again() throws Exception {
    Client alice = new Client().login("alice");
    JsonNode created = alice.json("POST", "devices", "{\"endpoint\":\"ep1\"}", 201);
    String psk = created.get("dmPsk").asText();
    assertThat(psk).hasSize(32);
    assertThat(h.km.dmCredentials().byEndpoint("ep1").orElseThrow().key())
        .isEqualTo(java.util.HexFormat.of().parseHex(psk));

    assertThat(alice.send("GET", "devices/ep1", null).body())
        .doesNotContain(psk)
        .doesNotContain("dmPsk\"");
    assertThat(alice.send("GET", "devices", null).body()).doesNotContain(psk);
    assertThat(alice.send("GET", "audit.csv", null).body()).doesNotContain(psk);
    assertThat(alice.send("GET", "devices.csv", null).body()).doesNotContain(psk);
  }

  @Test
  void the_device_list_filters_by_state_and_enabler_and_says_which_states_there_are()
      throws Exception {
    h.givenEnabler("a.enabler.test");
    h.givenEnabler("b.enabler.test");
    h.givenDevice("ep-a", "device-dm-psk-0001".getBytes(), "a.enabler.test");
    h.givenDevice("ep-b", "device-dm-psk-0002".getBytes(), "b.enabler.test");
    Client alice = new Client().login("alice");
    JsonNode onB = alice.json("GET", "devices?enabler=b.enabler.test", null, 200);
    assertThat(onB.get("items").findValuesAsText("endpoint")).containsExactly("ep-b");
    JsonNode pending = alice.json("GET", "devices?state=pending&search=ep-", null, 200);
    assertThat(pending.get("items").findValuesAsText("endpoint")).containsExactly("ep-a", "ep-b");
    assertThat(alice.json("GET", "devices?state=failed", null, 200).get("items")).isEmpty();
    JsonNode bad = alice.json("GET", "devices?state=broken", null, 400);
    assertThat(bad.get("field").asText()).isEqualTo("state");
    assertThat(bad.toString()).contains("pending, provisioned, failed");
  }

  @Test
  void devices_and_assignments_export_as_csv_that_a_spreadsheet_does_not_run() throws Exception {
    h.givenEnabler("a.enabler.test");
    h.givenDevice("=cmd|' /C calc'!A0", "device-dm-psk-0001".getBytes(), "a.enabler.test");
    h.givenDevice("ep-plain", "device-dm-psk-0002".getBytes());
    HttpResponse<String> csv = new Client().login("alice").send("GET", "devices.csv", null);
    assertThat(csv.statusCode()).isEqualTo(200);
    assertThat(csv.headers().firstValue("content-type"))
        .hasValueSatisfying(t -> assertThat(t).startsWith("text/csv"));
    List<String> lines = csv.body().lines().toList();
    assertThat(lines.get(0))
        .startsWith("endpoint,dm_psk_identity,impi,created_at,online,enabler,state");
    assertThat(lines)
        .anySatisfy(
            l ->
                assertThat(l)
                    .startsWith("\"'=cmd|' /C calc'!A0\"")
                    .contains("\"a.enabler.test\",pending"))
        .anySatisfy(l -> assertThat(l).startsWith("\"ep-plain\"").endsWith(",false,,,,,,"));
  }

  @Test
  void invalid_input_gets_400_with_the_field() throws Exception {
    Client alice = new Client().login("alice");
    assertThat(
            alice
                .json("POST", "devices", "{\"endpoint\":\"bad\\tname\"}", 400)
                .get("field")
                .asText())
        .isEqualTo("endpoint");
    assertThat(
            alice
                .json("POST", "devices", "{\"endpoint\":\"ok\",\"dmPsk\":\"abc\"}", 400)
                .get("field")
                .asText())
        .isEqualTo("dmPsk");
    assertThat(
            alice
                .json("POST", "enablers", "{\"fqdn\":\"e.test\",\"uri\":\"http://x\"}", 400)
                .get("field")
                .asText())
        .isEqualTo("uri");
    assertThat(
            alice
                .json(
                    "POST",
                    "enablers",
                    "{\"fqdn\":\"e.test\",\"uri\":\"coaps://127.0.0.1:5784\",\"uaSecurityProtocolId\":\"01\"}",
                    400)
                .get("field")
                .asText())
        .isEqualTo("uaSecurityProtocolId");
    assertThat(alice.json("POST", "devices", "not json", 400).get("detail").asText())
        .contains("not valid JSON");
    assertThat(alice.json("GET", "devices?limit=0", null, 400).get("field").asText())
        .isEqualTo("limit");
  }

  @Test
  void pages_and_searches_devices() throws Exception {
    StringBuilder csv = new StringBuilder("endpoint,dm_psk_identity,dm_psk_hex\n");
    for (int i = 0; i < 120; i++) {
      csv.append(String.format("page-%03d,,%032x%n", i, i));
    }
    csv.append("other-1,,00112233445566778899aabbccddeeff\n");
    Client alice = new Client().login("alice");
    assertThat(alice.send("POST", "devices/import", csv.toString(), "text/csv").statusCode())
        .isEqualTo(200);

    JsonNode p1 = alice.json("GET", "devices?search=page-&limit=50", null, 200);
    JsonNode p2 =
        alice.json(
            "GET", "devices?search=page-&limit=50&after=" + p1.get("next").asText(), null, 200);
    JsonNode p3 =
        alice.json(
            "GET", "devices?search=page-&limit=50&after=" + p2.get("next").asText(), null, 200);
    assertThat(p1.get("items")).hasSize(50);
    assertThat(p2.get("items").get(0).get("endpoint").asText()).isEqualTo("page-050");
    assertThat(p3.get("items")).hasSize(20);
    assertThat(p3.get("next").isNull()).isTrue();
  }

  @Test
  void csv_import_reports_bad_rows_and_imports_nothing_unless_asked() throws Exception {
    h.givenEnabler("a.enabler.test");
    String csv =
        "endpoint,dm_psk_identity,dm_psk_hex,enablers\n"
            + "good-1,,00112233445566778899aabbccddeeff,a.enabler.test\n"
            + "good-2,id2,00112233445566778899aabbccddeeff\n"
            + "bad-hex,,xyz\n"
            + "bad-enabler,,00112233445566778899aabbccddeeff,nope.test\n";
    Client alice = new Client().login("alice");

    HttpResponse<String> all = alice.send("POST", "devices/import", csv, "text/csv");
    assertThat(all.statusCode()).isEqualTo(400);
    JsonNode report = JSON.readTree(all.body());
    assertThat(report.get("imported").asInt()).isZero();
    assertThat(report.get("errors")).extracting(e -> e.get("line").asInt()).containsExactly(4, 5);
    assertThat(h.km.admin().devices()).isEmpty();

    JsonNode valid = alice.json("POST", "devices/import?mode=valid", csv, 200);
    assertThat(valid.get("imported").asInt()).isEqualTo(2);
    assertThat(valid.get("errors")).hasSize(2);
    assertThat(h.km.ledger().assignments("good-1")).hasSize(1);
  }

  @Test
  void an_import_job_answers_at_once_and_any_caller_reads_its_outcome() throws Exception {
    h.givenEnabler("a.enabler.test");
    String csv =
        "endpoint,dm_psk_identity,dm_psk_hex,enablers\n"
            + "job-1,,00112233445566778899aabbccddeeff,a.enabler.test\n"
            + "job-2,,00112233445566778899aabbccddeeff\n";
    Client alice = new Client().login("alice");

    HttpResponse<String> started = alice.send("POST", "imports", csv, "text/csv");
    assertThat(started.statusCode()).as(started.body()).isEqualTo(202);
    JsonNode job = JSON.readTree(started.body());
    assertThat(job.get("rows").asInt()).isEqualTo(2);
    assertThat(job.get("startedBy").asText()).isEqualTo("alice");
    String location = started.headers().firstValue("location").orElseThrow();
    assertThat(location).isEqualTo("/api/v1/imports/" + job.get("id").asText());

    Client audrey = new Client().login("audrey");
    String path = location.substring("/api/v1/".length());
    await()
        .until(() -> !audrey.json("GET", path, null, 200).get("state").asText().equals("running"));
    JsonNode done = audrey.json("GET", path, null, 200);
    assertThat(done.get("state").asText()).isEqualTo("done");
    assertThat(done.get("imported").asInt()).isEqualTo(2);
    assertThat(done.get("done").asInt()).isEqualTo(2);
    assertThat(done.get("errors")).isEmpty();
    assertThat(done.get("finishedAt").isNull()).isFalse();
    assertThat(h.km.ledger().assignments("job-1")).hasSize(1);

    // a bad mode, an unknown job, a role that may not write
    assertThat(alice.json("POST", "imports?mode=sometimes", null, 400).get("field").asText())
        .isEqualTo("mode");
    assertThat(audrey.json("GET", "imports/0123456789abcdef", null, 404).get("detail").asText())
        .contains("no import job");
    assertThat(audrey.send("POST", "imports", csv, "text/csv").statusCode()).isEqualTo(403);
  }

  @Test
  void audit_log_filters_and_exports_csv() throws Exception {
    Client alice = new Client().login("alice");
    alice.json("POST", "devices", "{\"endpoint\":\"ep-a\"}", 201);
    alice.json("POST", "devices", "{\"endpoint\":\"ep-b\"}", 201);

    JsonNode events = alice.json("GET", "audit?device=ep-a", null, 200);
    assertThat(events)
        .isNotEmpty()
        .allSatisfy(e -> assertThat(e.get("subject").asText()).isEqualTo("ep-a"));
    String csv = alice.send("GET", "audit.csv?action=device.added", null).body();
    assertThat(csv.lines().findFirst()).contains("id,at,actor,action,subject,detail");
    assertThat(csv).contains("\"ep-a\"").contains("\"ep-b\"");
    assertThat(alice.json("GET", "audit?since=yesterday", null, 400).get("field").asText())
        .isEqualTo("since");
  }

  @Test
  void the_audit_log_names_the_operator_who_added_a_device_an_enabler_an_assignment_or_an_import()
      throws Exception {
    Client alice = new Client().login("alice");
    alice.json(
        "POST", "enablers", "{\"fqdn\":\"a.enabler.test\",\"uri\":\"coaps://127.0.0.1:1\"}", 201);
    alice.json("POST", "devices", "{\"endpoint\":\"ep-a\"}", 201);
    alice.json("POST", "devices/ep-a/assignments", "{\"enabler\":\"a.enabler.test\"}", 201);
    String csv = "endpoint,dm_psk_identity,dm_psk_hex\nep-b,,00112233445566778899aabbccddeeff\n";
    assertThat(alice.send("POST", "devices/import", csv, "text/csv").statusCode()).isEqualTo(200);

    assertThat(alice.json("GET", "audit", null, 200))
        .filteredOn(
            e ->
                List.of("enabler.added", "device.added", "enabler.assigned")
                    .contains(e.get("action").asText()))
        .hasSize(4)
        .allSatisfy(e -> assertThat(e.get("actor").asText()).isEqualTo("alice"));
  }

  @Test
  void revoking_a_key_puts_the_device_back_to_pending_and_provisions_it_again() throws Exception {
    h.givenEnabler("a.enabler.test");
    h.givenDevice("ep1", "device-dm-psk-0001".getBytes(), "a.enabler.test");
    var device = h.startDevice("ep1", "ep1-dm", "device-dm-psk-0001".getBytes());
    Client alice = new Client().login("alice");
    await()
        .until(
            () ->
                alice
                    .json("GET", "devices/ep1", null, 200)
                    .get("assignments")
                    .get(0)
                    .get("state")
                    .asText()
                    .equals("provisioned"));
    String btid = device.enablerParameters().get(0).pskIdentity();

    alice.json("POST", "keys/revoke", "{\"btid\":\"" + btid + "\"}", 204);
    alice.json("POST", "devices/ep1/assignments/a.enabler.test/reprovision", "{}", 202);

    await().until(() -> !device.enablerParameters().get(0).pskIdentity().equals(btid));
    await()
        .until(
            () ->
                alice
                    .json("GET", "devices/ep1", null, 200)
                    .get("assignments")
                    .get(0)
                    .get("state")
                    .asText()
                    .equals("provisioned"));
    JsonNode dash = alice.json("GET", "dashboard", null, 200);
    assertThat(dash.get("devices").asInt()).isEqualTo(1);
    assertThat(dash.get("online").asInt()).isEqualTo(1);
  }

  @Test
  void finds_a_device_whose_name_needs_percent_encoding() throws Exception {
    h.km
        .admin()
        .addDevice("<img src=x onerror=alert(1)>", "xss-id", "0123456789abcdef".getBytes(), "test");
    Client alice = new Client().login("alice");
    HttpResponse<String> r =
        alice.send("GET", "devices/%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E", null);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(JSON.readTree(r.body()).get("endpoint").asText())
        .isEqualTo("<img src=x onerror=alert(1)>");
  }

  @Test
  void issues_an_enabler_credential_once_and_revokes_it() throws Exception {
    h.givenEnabler("a.enabler.test");
    Client alice = new Client().login("alice");
    JsonNode issued =
        alice.json("POST", "enabler-credentials", "{\"nafFqdn\":\"a.enabler.test\"}", 201);
    String secret = issued.get("secret").asText();
    assertThat(h.km.enablerCredentials().authenticate(secret)).contains("a.enabler.test");
    assertThat(alice.send("GET", "enabler-credentials", null).body()).doesNotContain(secret);

    alice.json(
        "POST", "enabler-credentials/" + issued.get("label").asText() + "/revoke", null, 204);
    assertThat(h.km.enablerCredentials().authenticate(secret)).isEmpty();
    assertThat(
            new Client()
                .login("audrey")
                .send("POST", "enabler-credentials", "{\"nafFqdn\":\"a.enabler.test\"}")
                .statusCode())
        .isEqualTo(403);
  }

  @Test
  void roles_and_states_read_the_same_on_a_turkish_locale_jvm() throws Exception {
    java.util.Locale before = java.util.Locale.getDefault();
    java.util.Locale.setDefault(java.util.Locale.forLanguageTag("tr-TR"));
    try {
      h.km.operators().create("ilker", PASSWORD.toCharArray(), Role.ADMIN, "test");
      Client admin = new Client().login("ilker");
      assertThat(admin.json("GET", "session", null, 200).get("role").asText()).isEqualTo("admin");
      admin.json(
          "POST",
          "operators",
          "{\"username\":\"irmak\",\"password\":\"" + PASSWORD + "\",\"role\":\"admin\"}",
          201);
      assertThat(new Client().login("irmak").json("GET", "session", null, 200).get("role").asText())
          .isEqualTo("admin");
    } finally {
      java.util.Locale.setDefault(before);
    }
  }

  @Test
  void only_an_admin_creates_operators() throws Exception {
    h.km.operators().create("root", PASSWORD.toCharArray(), Role.ADMIN, "test");
    Client root = new Client().login("root");
    root.json(
        "POST",
        "operators",
        "{\"username\":\"olga\",\"password\":\"" + PASSWORD + "\",\"role\":\"operator\"}",
        201);
    assertThat(
            root.json(
                    "POST",
                    "operators",
                    "{\"username\":\"x\",\"password\":\"short\",\"role\":\"operator\"}",
                    400)
                .get("field")
                .asText())
        .isEqualTo("password");
    new Client().login("olga");
    assertThat(new Client().login("alice").send("POST", "operators", "{}").statusCode())
        .isEqualTo(403);
  }

  @Test
  void an_operator_changes_their_own_password_and_their_other_sessions_end() throws Exception {
    Client here = new Client().login("audrey");
    Client elsewhere = new Client().login("audrey");
    String next = "a brand new passphrase";

    assertThat(
            here.json(
                    "POST",
                    "session/password",
                    "{\"current\":\"not it at all\",\"password\":\"" + next + "\"}",
                    400)
                .get("field")
                .asText())
        .isEqualTo("current");
    assertThat(
            here.json(
                    "POST",
                    "session/password",
                    "{\"current\":\"" + PASSWORD + "\",\"password\":\"short\"}",
                    400)
                .get("field")
                .asText())
        .isEqualTo("password");
    String token = here.csrf;
    here.csrf = "";
    assertThat(
            here.send(
                    "POST",
                    "session/password",
                    "{\"current\":\"" + PASSWORD + "\",\"password\":\"" + next + "\"}")
                .statusCode())
        .isEqualTo(403);
    here.csrf = token;

    // an auditor is read-only, but their own password is theirs to change
    here.json(
        "POST",
        "session/password",
        "{\"current\":\"" + PASSWORD + "\",\"password\":\"" + next + "\"}",
        204);

    assertThat(here.send("GET", "devices", null).statusCode()).isEqualTo(200);
    assertThat(elsewhere.send("GET", "devices", null).statusCode()).isEqualTo(401);
    assertThat(
            new Client()
                .send(
                    "POST",
                    "session",
                    "{\"username\":\"audrey\",\"password\":\"" + PASSWORD + "\"}")
                .statusCode())
        .isEqualTo(401);
    new Client().login("audrey", next);
  }

  @Test
  void an_admin_resets_a_lost_password_and_the_new_one_is_shown_once() throws Exception {
    h.km.operators().create("root", PASSWORD.toCharArray(), Role.ADMIN, "test");
    Client root = new Client().login("root");
    Client alice = new Client().login("alice");

    JsonNode reset = root.json("POST", "operators/alice/password-reset", null, 200);

    String password = reset.get("password").asText();
    assertThat(password).hasSizeGreaterThanOrEqualTo(20);
    assertThat(alice.send("GET", "devices", null).statusCode()).isEqualTo(401);
    new Client().login("alice", password);
    assertThat(root.json("GET", "audit?action=operator.password-reset", null, 200).toString())
        .contains("alice")
        .doesNotContain(password);
    assertThat(root.send("POST", "operators/nobody/password-reset", null).statusCode())
        .isEqualTo(404);
    Client again = new Client().login("alice", password);
    assertThat(again.send("POST", "operators/root/password-reset", null).statusCode())
        .isEqualTo(403);
  }

  @Test
  void sessions_end_when_the_account_is_deleted_or_reset_elsewhere() throws Exception {
    h.km.operators().create("root", PASSWORD.toCharArray(), Role.ADMIN, "test");
    Client root = new Client().login("root");
    Client alice = new Client().login("alice");
    Client audrey = new Client().login("audrey");

    // e.g. `keyprov admin reset-password` in another process on the same database
    h.km.operators().resetPassword("audrey", "cli");
    assertThat(audrey.send("GET", "devices", null).statusCode()).isEqualTo(401);

    root.json("DELETE", "operators/alice", null, 204);
    assertThat(alice.send("GET", "devices", null).statusCode()).isEqualTo(401);
    assertThat(
            new Client()
                .send(
                    "POST", "session", "{\"username\":\"alice\",\"password\":\"" + PASSWORD + "\"}")
                .statusCode())
        .isEqualTo(401);
    assertThat(root.json("DELETE", "operators/root", null, 409).get("detail").asText())
        .contains("last admin");
    assertThat(root.send("DELETE", "operators/alice", null).statusCode()).isEqualTo(404);
    assertThat(root.send("GET", "devices", null).statusCode()).isEqualTo(200);
  }

  @Test
  void the_event_feed_of_a_deleted_account_ends() throws Exception {
    h.km.operators().create("root", PASSWORD.toCharArray(), Role.ADMIN, "test");
    Client alice = new Client().login("alice");
    var feed =
        alice.http.sendAsync(
            HttpRequest.newBuilder(URI.create(web.uri() + "/api/v1/events")).build(),
            HttpResponse.BodyHandlers.ofString());

    new Client().login("root").json("DELETE", "operators/alice", null, 204);

    // the feed checks its session at each 15 s keep-alive
    HttpResponse<String> ended = feed.get(30, java.util.concurrent.TimeUnit.SECONDS);
    assertThat(ended.statusCode()).isEqualTo(200);
    assertThat(ended.body()).startsWith(": connected");
  }

  @Test
  void the_event_feed_shows_what_any_node_stored_and_resumes_after_the_last_event_id()
      throws Exception {
    Client alice = new Client().login("alice");
    java.util.concurrent.BlockingQueue<String> first = events(alice, null);
    await().until(() -> ": connected".equals(first.poll()));

    // stored by another node on the same database, as its DM server reports them
    h.km
        .events()
        .append(
            List.of(
                new org.keyprov.keys.OperatorEvents.Event(
                    "provisioned", "ep-b1", "a.enabler.test", "key version 1"),
                new org.keyprov.keys.OperatorEvents.Event(
                    "failed", "ep-b2", "a.enabler.test", "the device answered 4.04")));

    String idLine = first.poll(10, java.util.concurrent.TimeUnit.SECONDS);
    assertThat(idLine).startsWith("id: ");
    assertThat(first.poll(5, java.util.concurrent.TimeUnit.SECONDS))
        .startsWith("data: ")
        .contains("\"endpoint\":\"ep-b1\"")
        .contains("\"type\":\"provisioned\"");

    // the browser lost its connection after the first event and comes back with its id
    java.util.concurrent.BlockingQueue<String> resumed = events(alice, idLine.substring(4));
    List<String> replay = new java.util.ArrayList<>();
    await()
        .until(
            () -> {
              resumed.drainTo(replay);
              return replay.stream().anyMatch(l -> l.startsWith("data: "));
            });
    assertThat(replay.stream().filter(l -> l.startsWith("data: ")))
        .singleElement()
        .asString()
        .contains("\"endpoint\":\"ep-b2\"")
        .contains("4.04");
  }

  @Test
  void open_event_streams_hold_no_server_thread_and_each_gets_every_event() throws Exception {
    Client alice = new Client().login("alice");
    int tabs = 60;
    List<java.util.concurrent.BlockingQueue<String>> streams = new java.util.ArrayList<>();
    for (int i = 0; i < tabs; i++) {
      streams.add(events(alice, null));
    }
    for (var s : streams) {
      await().until(() -> ": connected".equals(s.poll()));
    }

    // A stream holding a thread would keep one HTTPS thread inside keyprov's code for as long as
    // it is open; written without one, none stays there once the streams are open and quiet.
    // (Counting the pool's threads instead raced with Jetty growing it for 60 TLS handshakes.)
    await()
        .atMost(java.time.Duration.ofSeconds(10))
        .untilAsserted(
            () ->
                assertThat(httpsThreadsInKeyprovCode())
                    .as("HTTPS threads inside keyprov code with %d open streams", tabs)
                    .isEmpty());
    assertThat(alice.send("GET", "devices", null).statusCode()).isEqualTo(200);

    h.km
        .events()
        .append(
            List.of(
                new org.keyprov.keys.OperatorEvents.Event(
                    "provisioned", "ep-c1", "a.enabler.test", "key version 1")));
    for (var s : streams) {
      assertThat(s.poll(10, java.util.concurrent.TimeUnit.SECONDS)).startsWith("id: ");
      assertThat(s.poll(5, java.util.concurrent.TimeUnit.SECONDS)).contains("\"ep-c1\"");
    }
  }

  /** The names of the HTTPS server's threads that are running keyprov code now. */
  private static List<String> httpsThreadsInKeyprovCode() {
    return Thread.getAllStackTraces().entrySet().stream()
        .filter(e -> e.getKey().getName().startsWith("keyprov-https"))
        .filter(
            e ->
                java.util.Arrays.stream(e.getValue())
                    .anyMatch(f -> f.getClassName().startsWith("org.keyprov.")))
        .map(e -> e.getKey().getName())
        .toList();
  }

  /** The lines of an event stream of {@code client}'s session, read on another thread. */
  private java.util.concurrent.BlockingQueue<String> events(Client client, String lastEventId) {
    java.util.concurrent.BlockingQueue<String> lines =
        new java.util.concurrent.LinkedBlockingQueue<>();
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(web.uri() + "/api/v1/events"));
    if (lastEventId != null) {
      request.header("Last-Event-ID", lastEventId);
    }
    client
        .http
        .sendAsync(request.build(), HttpResponse.BodyHandlers.ofLines())
        .thenAccept(
            r ->
                r.body()
                    .filter(l -> !l.isEmpty() && !l.startsWith(": keep-alive"))
                    .forEach(lines::add));
    return lines;
  }

  @Test
  void devices_with_a_factory_bootstrap_credential_and_dm_psk_rotation() throws Exception {
    Client alice = new Client().login("alice");
    String factory = "00112233445566778899aabbccddeeff";

    JsonNode created =
        alice.json(
            "POST",
            "devices",
            "{\"endpoint\":\"bs1\",\"bsPskIdentity\":\"bs1-factory\",\"bsPsk\":\""
                + factory
                + "\"}",
            201);
    assertThat(created.has("dmPsk")).as("no DM PSK to show: nobody needs it").isFalse();
    JsonNode device = alice.json("GET", "devices/bs1", null, 200);
    assertThat(device.get("bootstrap").get("bsPskIdentity").asText()).isEqualTo("bs1-factory");
    assertThat(device.get("bootstrap").get("dmPskVersion").asInt()).isEqualTo(1);
    assertThat(device.get("bootstrap").get("bootstrappedAt").isNull()).isTrue();
    assertThat(device.toString()).doesNotContain(factory);

    JsonNode both =
        alice.json(
            "POST",
            "devices",
            "{\"endpoint\":\"bs2\",\"dmPsk\":\"" + factory + "\",\"bsPsk\":\"" + factory + "\"}",
            400);
    assertThat(both.get("field").asText()).isEqualTo("bsPsk");
    alice.json("POST", "devices", "{\"endpoint\":\"ep1\"}", 201);
    JsonNode flashed = alice.json("POST", "devices/ep1/dm-rotation", "{}", 400);
    assertThat(flashed.get("detail").asText()).contains("no factory bootstrap credential");
    JsonNode badKey = alice.json("POST", "devices/ep1/bootstrap-psk", "{\"bsPsk\":\"xyz\"}", 400);
    assertThat(badKey.get("field").asText()).isEqualTo("bsPsk");
    alice.json("POST", "devices/ep1/bootstrap-psk", "{\"bsPsk\":\"" + factory + "\"}", 204);
    JsonNode taken =
        alice.json(
            "POST",
            "devices/ep1/bootstrap-psk",
            "{\"bsPskIdentity\":\"bs1-factory\",\"bsPsk\":\"" + factory + "\"}",
            409);
    assertThat(taken.get("detail").asText()).contains("already belongs to device bs1");

    JsonNode rotation = alice.json("POST", "devices/bs1/dm-rotation", "{}", 202);
    assertThat(rotation.get("online").asBoolean()).isFalse();
    assertThat(
            alice
                .json("GET", "devices/bs1", null, 200)
                .get("bootstrap")
                .get("rotationRequestedAt")
                .isNull())
        .isFalse();
    alice.json("POST", "devices/bs1/bs-rotation", "{}", 202);
    assertThat(
            alice
                .json("GET", "devices/bs1", null, 200)
                .get("bootstrap")
                .get("newBsPskIdentity")
                .asText())
        .isEqualTo("bs1#bs2");
    Client audrey = new Client().login("audrey");
    assertThat(audrey.send("POST", "devices/bs1/dm-rotation", "{}").statusCode()).isEqualTo(403);
    assertThat(alice.json("GET", "audit?limit=50", null, 200).toString()).doesNotContain(factory);
  }

  @Test
  void the_object_browser_answers_bad_paths_offline_devices_and_auditors_clearly()
      throws Exception {
    Client alice = new Client().login("alice");
    alice.json("POST", "devices", "{\"endpoint\":\"ep-off\"}", 201);

    JsonNode offline = alice.json("GET", "devices/ep-off/lwm2m/3/0", null, 409);
    assertThat(offline.get("detail").asText()).contains("ep-off is not registered");
    JsonNode bad = alice.json("GET", "devices/ep-off/lwm2m/3/x", null, 400);
    assertThat(bad.get("detail").asText()).contains("is not an object, instance or resource path");
    JsonNode readOnly = alice.json("PUT", "devices/ep-off/lwm2m/3/0/0", "{\"value\":\"x\"}", 400);
    assertThat(readOnly.get("detail").asText()).contains("(Manufacturer) is not writable");
    JsonNode format = alice.json("GET", "devices/ep-off/lwm2m/3/0?format=xml", null, 400);
    assertThat(format.get("detail").asText())
        .contains("format 'xml' is not one of TLV, JSON, SENML_JSON, SENML_CBOR");
    assertThat(format.toString()).contains("\"format\"");
    // by CoAP number too: known, so the answer is about the device
    alice.json("GET", "devices/ep-off/lwm2m/3/0?format=112", null, 409);
    assertThat(alice.json("GET", "devices/ep-off/objects", null, 200).get("objects")).isEmpty();
    Client audrey = new Client().login("audrey");
    assertThat(audrey.send("PUT", "devices/ep-off/lwm2m/1/0/1", "{\"value\":\"60\"}").statusCode())
        .isEqualTo(403);
  }

  @Test
  void serves_the_openapi_contract() throws Exception {
    JsonNode spec = JSON.readTree(new Client().send("GET", "openapi.json", null).body());
    assertThat(spec.get("openapi").asText()).startsWith("3.");
    assertThat(spec.get("paths").has("/devices/import")).isTrue();
  }
}
