package org.keyprov.web.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.keyprov.keys.Assignment;
import org.keyprov.keys.AuditEvent;
import org.keyprov.keys.Device;
import org.keyprov.keys.DmPsk;
import org.keyprov.keys.EnablerProfile;
import org.keyprov.keys.KeyManagerException;
import org.keyprov.keys.gba.BTid;
import org.keyprov.keys.gba.NafId;
import org.keyprov.keys.gba.UaSecurityProtocolId;
import org.keyprov.web.api.ApiHandler.Answer;
import org.keyprov.web.api.ApiHandler.Call;

/** The resources of the operator API; see {@code openapi.json} for the contract. */
final class Routes {
  private final ApiHandler api;
  private final BootstrapRoutes bootstrap;
  private final ObjectRoutes objects;

  Routes(ApiHandler api) {
    this.api = api;
    this.bootstrap = new BootstrapRoutes(api);
    this.objects = new ObjectRoutes(api);
  }

  Answer route(Call c) {
    List<String> p = c.path();
    String m = c.method();
    String head = p.get(0);
    if (head.equals("dashboard") && p.size() == 1 && m.equals("GET")) {
      ObjectNode out = api.json.createObjectNode();
      api.km.admin().counts().forEach(out::put);
      out.put("online", api.dm.registeredCount());
      out.set("recent", events(api.km.audit().recent(20)));
      return api.ok(out);
    }
    if (head.equals("devices")) {
      return devices(c, p, m);
    }
    if (head.equals("enablers")) {
      return enablers(c, p, m);
    }
    if (head.equals("keys") && p.size() == 2 && p.get(1).equals("revoke") && m.equals("POST")) {
      String btid = ApiHandler.text(api.body(c.body()), "btid", true);
      api.km
          .admin()
          .revoke(
              BTid.fromPskIdentity(btid)
                  .orElseThrow(
                      () -> ApiException.badRequest("btid", "not a B-TID: base64(RAND)@domain")),
              c.actor());
      return new Answer(204, null, null);
    }
    if (head.equals("operators")
        && c.session().operator().role() != org.keyprov.keys.OperatorAccounts.Role.ADMIN) {
      throw new ApiException(403, "forbidden", null, "only an admin manages operator accounts");
    }
    if (head.equals("operators")
        && p.size() == 3
        && p.get(2).equals("password-reset")
        && m.equals("POST")) {
      String username = p.get(1);
      // the operator's sessions end at their next request: the credential stamp changed
      String password = api.km.operators().resetPassword(username, c.actor());
      // shown once, like the initial admin password and a new device's DM PSK
      return api.ok(
          api.json.createObjectNode().put("username", username).put("password", password));
    }
    if (head.equals("operators") && p.size() == 2 && m.equals("DELETE")) {
      api.km.operators().delete(p.get(1), c.actor());
      return new Answer(204, null, null);
    }
    if (head.equals("operators") && p.size() == 1) {
      if (m.equals("GET")) {
        ArrayNode items = api.array();
        api.km
            .operators()
            .list()
            .forEach(
                o ->
                    items.add(
                        api.json
                            .createObjectNode()
                            .put("username", o.username())
                            .put("role", o.role().name().toLowerCase(java.util.Locale.ROOT))));
        return api.ok(api.json.createObjectNode().set("items", items));
      }
      if (m.equals("POST")) {
        JsonNode in = api.body(c.body());
        String roleText = ApiHandler.text(in, "role", true);
        org.keyprov.keys.OperatorAccounts.Role role;
        try {
          role =
              org.keyprov.keys.OperatorAccounts.Role.valueOf(
                  roleText.toUpperCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
          throw ApiException.badRequest("role", "role is admin, operator or auditor");
        }
        String password = ApiHandler.text(in, "password", true);
        try {
          var o =
              api.km
                  .operators()
                  .create(
                      ApiHandler.text(in, "username", true),
                      password.toCharArray(),
                      role,
                      c.actor());
          return api.answer(
              201,
              api.json
                  .createObjectNode()
                  .put("username", o.username())
                  .put("role", o.role().name().toLowerCase(java.util.Locale.ROOT)));
        } catch (KeyManagerException e) {
          if (e.kind() == KeyManagerException.Kind.INVALID) {
            throw ApiException.badRequest(
                e.getMessage().contains("password") ? "password" : "username", e.getMessage());
          }
          throw e;
        }
      }
    }
    if (head.equals("enabler-credentials")) {
      return credentials(c, p, m);
    }
    if (head.equals("audit") && p.size() == 1 && m.equals("GET")) {
      return api.ok(events(audit(c)));
    }
    if (head.equals("server") && m.equals("GET")) {
      return serverInfo(p);
    }
    if (head.equals("devices.csv") && p.size() == 1 && m.equals("GET")) {
      return devicesCsv();
    }
    if (head.equals("audit.csv") && p.size() == 1 && m.equals("GET")) {
      StringBuilder csv = new StringBuilder("id,at,actor,action,subject,detail\n");
      for (AuditEvent e : audit(c)) {
        csv.append(e.id())
            .append(',')
            .append(e.at())
            .append(',')
            .append(cell(e.actor()))
            .append(',')
            .append(cell(e.action()))
            .append(',')
            .append(cell(e.subject()))
            .append(',')
            .append(cell(e.detail()))
            .append('\n');
      }
      return new Answer(
          200, "text/csv; charset=utf-8", csv.toString().getBytes(StandardCharsets.UTF_8));
    }
    throw new ApiException(
        404, "not_found", null, "no such API route: " + m + " /api/v1/" + String.join("/", p));
  }

  private Answer devices(Call c, List<String> p, String m) {
    if (p.size() == 1 && m.equals("GET")) {
      int limit = intParam(c, "limit", 50, 1, 500);
      String stateName = c.param("state", "");
      org.keyprov.keys.ProvisioningState state = null;
      if (!stateName.isEmpty()) {
        try {
          state =
              org.keyprov.keys.ProvisioningState.valueOf(
                  stateName.toUpperCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
          throw ApiException.badRequest(
              "state",
              "state is one of "
                  + java.util.Arrays.stream(org.keyprov.keys.ProvisioningState.values())
                      .map(v -> v.name().toLowerCase(java.util.Locale.ROOT))
                      .collect(java.util.stream.Collectors.joining(", ")));
        }
      }
      String enabler = c.param("enabler", "");
      List<Device> page =
          api.km
              .admin()
              .devicePage(
                  c.param("search", ""),
                  state,
                  enabler.isEmpty() ? null : enabler,
                  c.param("after", ""),
                  limit + 1);
      ArrayNode items = api.array();
      List<Device> shown = page.subList(0, Math.min(limit, page.size()));
      var assignments = api.km.ledger().assignments(shown.stream().map(Device::endpoint).toList());
      shown.forEach(
          d -> {
            ObjectNode row = device(d);
            ArrayNode states = row.putArray("assignments");
            for (Assignment a : assignments.get(d.endpoint())) {
              states.add(
                  api.json
                      .createObjectNode()
                      .put("enabler", a.nafFqdn())
                      .put("state", a.state().name().toLowerCase(java.util.Locale.ROOT)));
            }
            row.put("online", api.dm.isRegistered(d.endpoint()));
            items.add(row);
          });
      ObjectNode out = api.json.createObjectNode();
      out.set("items", items);
      if (page.size() > limit) {
        out.put("next", page.get(limit - 1).endpoint());
      } else {
        out.putNull("next");
      }
      return api.ok(out);
    }
    if (p.size() == 1 && m.equals("POST")) {
      JsonNode in = api.body(c.body());
      String endpoint = ApiHandler.text(in, "endpoint", true);
      if (ApiHandler.text(in, "bsPsk", false) != null) {
        return api.answer(201, device(bootstrap.create(endpoint, in, c.actor())));
      }
      String identity = api.nonBlank(ApiHandler.text(in, "dmPskIdentity", false)).orElse(endpoint);
      String hex = ApiHandler.text(in, "dmPsk", false);
      if (hex != null && !hex.matches("([0-9a-fA-F]{2})+")) {
        throw ApiException.badRequest("dmPsk", "dmPsk must be hex, 16 to 64 bytes");
      }
      Device d;
      DmPsk generated = null;
      try {
        if (hex == null) {
          generated = api.km.admin().addDeviceWithNewPsk(endpoint, identity, c.actor());
          d = api.km.admin().device(endpoint).orElseThrow();
        } else {
          byte[] psk = HexFormat.of().parseHex(hex);
          try {
            d = api.km.admin().addDevice(endpoint, identity, psk, c.actor());
          } finally {
            java.util.Arrays.fill(psk, (byte) 0);
          }
        }
      } catch (KeyManagerException e) {
        if (e.kind() == KeyManagerException.Kind.INVALID) {
          throw ApiException.badRequest(
              e.getMessage().contains("PSK identity")
                  ? "dmPskIdentity"
                  : e.getMessage().contains("PSK") ? "dmPsk" : "endpoint",
              e.getMessage());
        }
        throw e;
      }
      ObjectNode out = device(d);
      if (generated != null) {
        // shown once, for flashing the device; never stored in clear or returned again
        byte[] key = generated.key();
        out.put("dmPsk", HexFormat.of().formatHex(key));
        java.util.Arrays.fill(key, (byte) 0);
      }
      return api.answer(201, out);
    }
    if (p.size() == 2 && p.get(1).equals("import") && m.equals("POST")) {
      return importCsv(c);
    }
    String endpoint = p.size() > 1 ? p.get(1) : "";
    if (p.size() == 2 && m.equals("GET")) {
      Device d =
          api.km
              .admin()
              .device(endpoint)
              .orElseThrow(() -> new ApiException(404, "not_found", null, "no device " + endpoint));
      ObjectNode out = device(d);
      out.put("online", api.dm.isRegistered(endpoint));
      api.dm
          .registrationInfo(endpoint)
          .ifPresent(
              r -> {
                ObjectNode reg = out.putObject("registration");
                reg.put("id", r.registrationId())
                    .put("address", r.address())
                    .put("lifetimeSeconds", r.lifetimeSeconds())
                    .put("binding", r.binding())
                    .put("queueMode", r.queueMode())
                    .put("lwm2mVersion", r.lwm2mVersion())
                    .put("registeredAt", r.registeredAt().toString())
                    .put("lastUpdate", r.lastUpdate().toString())
                    .put("node", r.node());
                ArrayNode links = reg.putArray("objectLinks");
                r.objectLinks().forEach(links::add);
              });
      ArrayNode as = api.array();
      for (Assignment a : api.km.ledger().assignments(endpoint)) {
        as.add(
            api.json
                .createObjectNode()
                .put("enabler", a.nafFqdn())
                .put("state", a.state().name().toLowerCase(java.util.Locale.ROOT))
                .put("detail", a.detail())
                .put("attempts", a.attempts())
                .put("lastConnectionResult", a.lastConnectionResult().orElse(null))
                .put("keyVersion", a.keyVersion().orElse(null))
                .put("keyExpiresAt", a.keyExpiresAt().map(Instant::toString).orElse(null))
                .put("updatedAt", a.updatedAt().toString()));
      }
      out.set("assignments", as);
      out.set("bootstrap", bootstrap.status(endpoint));
      return api.ok(out);
    }
    Answer bootstrapped = bootstrap.route(c, endpoint, p, m);
    if (bootstrapped != null) {
      return bootstrapped;
    }
    Answer browsed = objects.route(c, endpoint, p, m);
    if (browsed != null) {
      return browsed;
    }
    if (p.size() == 2 && m.equals("DELETE")) {
      api.km.admin().deleteDevice(endpoint, c.actor());
      return new Answer(204, null, null);
    }
    if (p.size() == 3 && p.get(2).equals("assignments") && m.equals("POST")) {
      String fqdn = ApiHandler.text(api.body(c.body()), "enabler", true);
      api.km.admin().assign(endpoint, fqdn, c.actor());
      api.dm.provisionNow(endpoint);
      return new Answer(201, null, null);
    }
    if (p.size() == 4 && p.get(2).equals("assignments") && m.equals("DELETE")) {
      api.km.admin().unassign(endpoint, p.get(3), c.actor());
      return new Answer(204, null, null);
    }
    if (p.size() == 3 && p.get(2).equals("dm-psk") && m.equals("POST")) {
      DmPsk changed = api.km.admin().changeDmPsk(endpoint, c.actor());
      // shown once, for flashing the device; never stored in clear or returned again
      byte[] key = changed.key();
      ObjectNode out =
          api.json
              .createObjectNode()
              .put("endpoint", endpoint)
              .put("dmPskIdentity", changed.identity())
              .put("dmPsk", HexFormat.of().formatHex(key));
      java.util.Arrays.fill(key, (byte) 0);
      return api.answer(200, out);
    }
    if (p.size() == 5
        && p.get(2).equals("assignments")
        && p.get(4).equals("reprovision")
        && m.equals("POST")) {
      JsonNode in = c.body().length == 0 ? api.json.createObjectNode() : api.body(c.body());
      api.km
          .ledger()
          .reprovision(endpoint, p.get(3), in.path("overwriteSim").asBoolean(false), c.actor());
      api.dm.provisionNow(endpoint);
      return new Answer(202, null, null);
    }
    if (p.size() == 5
        && p.get(2).equals("assignments")
        && p.get(4).equals("revoke")
        && m.equals("POST")) {
      int revoked = api.km.admin().revokeKeys(endpoint, p.get(3), c.actor());
      return api.ok(api.json.createObjectNode().put("revoked", revoked));
    }
    throw new ApiException(404, "not_found", null, "no such API route");
  }

  private Answer importCsv(Call c) {
    String mode = c.param("mode", "all");
    if (!mode.equals("all") && !mode.equals("valid")) {
      throw ApiException.badRequest(
          "mode",
          "mode is all (nothing imported if any row is bad) or valid (import the good rows)");
    }
    DeviceImport.Result result =
        DeviceImport.run(
            api.km.admin(),
            new String(c.body(), StandardCharsets.UTF_8),
            mode.equals("all"),
            c.actor());
    ObjectNode out =
        api.json.createObjectNode().put("imported", result.imported()).put("mode", mode);
    ArrayNode errs = api.array();
    result
        .problems()
        .forEach(
            e ->
                errs.add(
                    api.json.createObjectNode().put("line", e.line()).put("message", e.message())));
    out.set("errors", errs);
    return api.answer(mode.equals("all") && !result.problems().isEmpty() ? 400 : 200, out);
  }

  private Answer credentials(Call c, List<String> p, String m) {
    if (p.size() == 1 && m.equals("GET")) {
      ArrayNode items = api.array();
      for (var i : api.km.enablerCredentials().list()) {
        items.add(
            api.json
                .createObjectNode()
                .put("label", i.label())
                .put("nafFqdn", i.nafFqdn())
                .put("createdAt", i.createdAt().toString())
                .put("revokedAt", i.revokedAt().map(Instant::toString).orElse(null)));
      }
      return api.ok(api.json.createObjectNode().set("items", items));
    }
    if (p.size() == 1 && m.equals("POST")) {
      var issued =
          api.km
              .enablerCredentials()
              .issue(ApiHandler.text(api.body(c.body()), "nafFqdn", true), c.actor());
      // the secret is shown once, for the Enabler's configuration; only its hash is stored
      return api.answer(
          201,
          api.json
              .createObjectNode()
              .put("label", issued.label())
              .put("nafFqdn", issued.nafFqdn())
              .put("secret", issued.secret()));
    }
    if (p.size() == 3 && p.get(2).equals("revoke") && m.equals("POST")) {
      api.km.enablerCredentials().revoke(p.get(1), c.actor());
      return new Answer(204, null, null);
    }
    throw new ApiException(404, "not_found", null, "no such API route");
  }

  private Answer enablers(Call c, List<String> p, String m) {
    if (p.size() == 1 && m.equals("GET")) {
      ArrayNode items = api.array();
      api.km.admin().enablers().forEach(e -> items.add(enabler(e)));
      return api.ok(api.json.createObjectNode().set("items", items));
    }
    if (p.size() == 2 && m.equals("DELETE")) {
      int devices = api.km.admin().deleteEnabler(p.get(1), c.actor());
      return api.ok(api.json.createObjectNode().put("devices", devices));
    }
    if ((p.size() == 1 && m.equals("POST")) || (p.size() == 2 && m.equals("PUT"))) {
      JsonNode in = api.body(c.body());
      String fqdn = p.size() == 2 ? p.get(1) : ApiHandler.text(in, "fqdn", true);
      if (p.size() == 1 && api.km.admin().enabler(fqdn).isPresent()) {
        throw new ApiException(
            409,
            "conflict",
            "fqdn",
            "Enabler " + fqdn + " exists; change it with PUT /api/v1/enablers/" + fqdn);
      }
      EnablerProfile profile = profile(fqdn, in);
      api.km.admin().putEnabler(profile, c.actor());
      return api.answer(p.size() == 1 ? 201 : 200, enabler(profile));
    }
    throw new ApiException(404, "not_found", null, "no such API route");
  }

  private static EnablerProfile profile(String fqdn, JsonNode in) {
    String uriText = ApiHandler.text(in, "uri", true);
    URI uri;
    try {
      uri = URI.create(uriText);
    } catch (IllegalArgumentException e) {
      throw ApiException.badRequest("uri", "uri is not a URI");
    }
    UaSecurityProtocolId ua;
    try {
      String uaText = ApiHandler.text(in, "uaSecurityProtocolId", false);
      ua =
          uaText == null
              ? UaSecurityProtocolId.omaPskTls(EnablerProfile.TLS_PSK_WITH_AES_128_CCM_8)
              : UaSecurityProtocolId.parse(uaText);
    } catch (IllegalArgumentException e) {
      throw ApiException.badRequest("uaSecurityProtocolId", e.getMessage());
    }
    List<String> allow = new ArrayList<>();
    in.path("allowList").forEach(n -> allow.add(n.asText()));
    List<Integer> suites = new ArrayList<>();
    in.path("cipherSuites").forEach(n -> suites.add(n.asInt(-1)));
    long lifetime = in.path("keyLifetimeSeconds").asLong(86_400);
    NafId nafId;
    try {
      nafId = new NafId(fqdn, ua);
    } catch (IllegalArgumentException e) {
      throw ApiException.badRequest("fqdn", e.getMessage());
    }
    try {
      return new EnablerProfile(
          nafId,
          uri,
          allow.isEmpty() ? List.of(uri.toString()) : allow,
          suites.isEmpty() ? List.of(EnablerProfile.TLS_PSK_WITH_AES_128_CCM_8) : suites,
          Duration.ofSeconds(lifetime),
          in.path("atBootstrap").asBoolean(false));
    } catch (IllegalArgumentException e) {
      String field =
          e.getMessage().startsWith("Enabler URI")
              ? "uri"
              : e.getMessage().contains("lifetime") ? "keyLifetimeSeconds" : "cipherSuites";
      throw ApiException.badRequest(field, e.getMessage());
    }
  }

  private List<AuditEvent> audit(Call c) {
    Instant since = null;
    String sinceText = c.param("since", null);
    if (sinceText != null) {
      try {
        since = Instant.parse(sinceText);
      } catch (DateTimeParseException e) {
        throw ApiException.badRequest(
            "since", "since must be an ISO-8601 instant such as 2026-11-28T00:00:00Z");
      }
    }
    return api.km
        .audit()
        .search(
            c.param("device", null),
            c.param("enabler", null),
            c.param("action", null),
            since,
            intParam(c, "limit", 200, 1, 100_000));
  }

  private ArrayNode events(List<AuditEvent> events) {
    ArrayNode out = api.array();
    for (AuditEvent e : events) {
      out.add(
          api.json
              .createObjectNode()
              .put("id", e.id())
              .put("at", e.at().toString())
              .put("actor", e.actor())
              .put("action", e.action())
              .put("subject", e.subject())
              .put("detail", e.detail()));
    }
    return out;
  }

  /** {@code GET server} (the Server page) and {@code GET server/certificate.pem}. */
  private Answer serverInfo(List<String> p) {
    ServerInfo info = api.info.get();
    if (info == null) {
      throw new ApiException(404, "not_found", null, "this server has no Server page");
    }
    if (p.size() == 2 && p.get(1).equals("certificate.pem")) {
      return new Answer(
          200, "application/x-pem-file", info.certificatePem().getBytes(StandardCharsets.UTF_8));
    }
    if (p.size() != 1) {
      throw new ApiException(404, "not_found", null, "no such resource: /server/…");
    }
    ObjectNode out =
        api.json
            .createObjectNode()
            .put("version", info.version())
            .put("certificateSha256", info.certificateSha256())
            .put("node", info.node())
            .put("database", info.database())
            .put("startedAt", info.startedAt().toString())
            .put("registered", api.dm.registeredCount());
    ArrayNode endpoints = out.putArray("endpoints");
    info.endpoints().forEach((k, v) -> endpoints.addObject().put("name", k).put("uri", v));
    return api.ok(out);
  }

  private ObjectNode device(Device d) {
    return api.json
        .createObjectNode()
        .put("endpoint", d.endpoint())
        .put("impi", d.impi())
        .put("dmPskIdentity", d.dmPskIdentity())
        .put("createdAt", d.createdAt().toString());
  }

  private ObjectNode enabler(EnablerProfile e) {
    ObjectNode out =
        api.json
            .createObjectNode()
            .put("fqdn", e.fqdn())
            .put("uri", e.uri().toString())
            .put("uaSecurityProtocolId", e.nafId().ua().toHex())
            .put("keyLifetimeSeconds", e.keyLifetime().toSeconds())
            .put("atBootstrap", e.atBootstrap());
    ArrayNode allow = out.putArray("allowList");
    e.allowList().forEach(allow::add);
    ArrayNode suites = out.putArray("cipherSuites");
    e.cipherSuites().forEach(suites::add);
    return out;
  }

  private static int intParam(Call c, String name, int fallback, int min, int max) {
    String v = c.param(name, null);
    if (v == null) {
      return fallback;
    }
    try {
      int n = Integer.parseInt(v);
      if (n < min || n > max) {
        throw new NumberFormatException();
      }
      return n;
    } catch (NumberFormatException e) {
      throw ApiException.badRequest(name, name + " must be a number from " + min + " to " + max);
    }
  }

  /**
   * Every device with its assignments, a row per (device, Enabler) and one per device without any:
   * the DM PSK identity, never a key; cells formula-safe.
   */
  private Answer devicesCsv() {
    StringBuilder csv =
        new StringBuilder(
            "endpoint,dm_psk_identity,impi,created_at,online,enabler,state,detail,key_version,"
                + "key_expires_at,last_connection_result\n");
    List<Device> all = api.km.admin().devices();
    java.util.Map<String, List<Assignment>> assignments =
        api.km.ledger().assignments(all.stream().map(Device::endpoint).toList());
    for (Device d : all) {
      String device =
          cell(d.endpoint())
              + ','
              + cell(d.dmPskIdentity())
              + ','
              + cell(d.impi())
              + ','
              + d.createdAt()
              + ','
              + api.dm.isRegistered(d.endpoint())
              + ',';
      List<Assignment> list = assignments.getOrDefault(d.endpoint(), List.of());
      if (list.isEmpty()) {
        csv.append(device).append(",,,,,\n");
      }
      for (Assignment a : list) {
        csv.append(device)
            .append(cell(a.nafFqdn()))
            .append(',')
            .append(a.state().name().toLowerCase(java.util.Locale.ROOT))
            .append(',')
            .append(cell(a.detail()))
            .append(',')
            .append(a.keyVersion().map(String::valueOf).orElse(""))
            .append(',')
            .append(a.keyExpiresAt().map(Instant::toString).orElse(""))
            .append(',')
            .append(cell(a.lastConnectionResult().orElse("")))
            .append('\n');
      }
    }
    return new Answer(
        200, "text/csv; charset=utf-8", csv.toString().getBytes(StandardCharsets.UTF_8));
  }

  /**
   * A CSV cell, quoted; a leading = + - @ is prefixed so spreadsheets do not run it as a formula.
   */
  private static String cell(String s) {
    String v = s == null ? "" : s;
    if (!v.isEmpty() && "=+-@".indexOf(v.charAt(0)) >= 0) {
      v = "'" + v;
    }
    return "\"" + v.replace("\"", "\"\"") + "\"";
  }
}
