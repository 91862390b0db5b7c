package org.keyprov.web.api;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.keyprov.keys.Assignment;
import org.keyprov.keys.AuditEvent;
import org.keyprov.keys.Device;
import org.keyprov.keys.EnablerProfile;
import org.keyprov.keys.KeyManager;
import org.keyprov.keys.gba.BTid;
import org.keyprov.keys.gba.NafId;
import org.keyprov.keys.gba.UaSecurityProtocolId;
import org.keyprov.server.DeviceDirectory;
import org.keyprov.web.api.Api.Access;
import org.keyprov.web.api.Bodies.EnablerBody;
import org.keyprov.web.api.Bodies.KeyRevocation;
import org.keyprov.web.api.Bodies.NewCredential;
import org.keyprov.web.api.Views.CredentialView;
import org.keyprov.web.api.Views.Dashboard;
import org.keyprov.web.api.Views.Deleted;
import org.keyprov.web.api.Views.EnablerView;
import org.keyprov.web.api.Views.Event;
import org.keyprov.web.api.Views.IssuedCredential;
import org.keyprov.web.api.Views.Items;
import org.keyprov.web.api.Views.NamedUri;
import org.keyprov.web.api.Views.ServerView;

/**
 * The fleet-wide resources of the operator API: dashboard, Enablers and their credentials, key
 * revocation, audit log, exports and the server's own description.
 */
final class Routes {
  private final KeyManager km;
  private final DeviceDirectory dm;
  private final Supplier<ServerInfo> info;

  Routes(KeyManager km, DeviceDirectory dm, Supplier<ServerInfo> info) {
    this.km = km;
    this.dm = dm;
    this.info = info;
  }

  void register(Api api) {
    api.tag("fleet");
    api.get("/dashboard", "Counts of devices and assignments by state, and recent events")
        .answers(Dashboard.class)
        .run(
            c ->
                Dashboard.of(
                    km.admin().counts(),
                    dm.registeredCount(),
                    km.audit().recent(20).stream().map(Event::of).toList()));
    api.get("/events", "Server-sent events: registrations, provisioning and connection results")
        .answersText("text/event-stream")
        .run(
            c -> {
              // a signed-in browser's stream is served before routing (see ApiHandler)
              throw new ApiException(
                  400, "not_a_stream", null, "the event stream needs Accept: text/event-stream");
            });
    api.post("/keys/revoke", "Revokes one key by its B-TID")
        .access(Access.WRITE)
        .body(KeyRevocation.class)
        .answers(204, null)
        .run(
            (Api.Call<KeyRevocation> c) -> {
              km.admin()
                  .revoke(
                      BTid.fromPskIdentity(c.body().btid())
                          .orElseThrow(
                              () ->
                                  ApiException.badRequest(
                                      "btid", "not a B-TID: base64(RAND)@domain")),
                      c.actor());
              return Reply.noContent();
            });
    api.get("/devices.csv", "Every device and assignment as CSV (no key material)")
        .answersText("text/csv")
        .run(c -> Reply.bytes("text/csv; charset=utf-8", devicesCsv()));

    api.tag("audit");
    api.get("/audit", "The audit log, newest first")
        .query("device", "string", "events about this device")
        .query("enabler", "string", "events about this Enabler")
        .query("action", "string", "events of this action, e.g. enabler.assigned")
        .query("since", "string", "ISO-8601 instant")
        .query("before", "integer", "only events older than this id: the next page")
        .query("limit", "integer", "1 to 100000, default 200")
        .answers(new Types.Of(List.class, Event.class))
        .run(c -> audit(c).stream().map(Event::of).toList());
    api.get("/audit.csv", "The audit log as CSV, same filters")
        .answersText("text/csv")
        .run(c -> Reply.bytes("text/csv; charset=utf-8", auditCsv(audit(c))));

    api.tag("enablers");
    api.get("/enablers", "Enablers")
        .answers(new Types.Of(Items.class, EnablerView.class))
        .run(c -> new Items<>(km.admin().enablers().stream().map(EnablerView::of).toList()));
    api.post("/enablers", "Adds an Enabler")
        .access(Access.WRITE)
        .body(EnablerBody.class)
        .answers(201, EnablerView.class)
        .run(
            (Api.Call<EnablerBody> c) -> {
              String fqdn = c.body().fqdn();
              if (fqdn == null || fqdn.isBlank()) {
                throw ApiException.badRequest("fqdn", "fqdn is required");
              }
              if (km.admin().enabler(fqdn).isPresent()) {
                throw new ApiException(
                    409,
                    "conflict",
                    "fqdn",
                    "Enabler " + fqdn + " exists; change it with PUT /api/v1/enablers/" + fqdn);
              }
              EnablerProfile profile = profile(fqdn, c.body());
              km.admin().putEnabler(profile, c.actor());
              return Reply.created("/api/v1/enablers/" + profile.fqdn(), EnablerView.of(profile));
            });
    api.put("/enablers/{fqdn}", "Changes an Enabler (or adds it under that FQDN)")
        .access(Access.WRITE)
        .body(EnablerBody.class)
        .answers(EnablerView.class)
        .run(
            (Api.Call<EnablerBody> c) -> {
              String fqdn = c.path("fqdn");
              if (c.body().fqdn() != null && !c.body().fqdn().equalsIgnoreCase(fqdn)) {
                throw ApiException.badRequest(
                    "fqdn", "fqdn differs from the path; an Enabler's FQDN cannot change");
              }
              EnablerProfile profile = profile(fqdn, c.body());
              km.admin().putEnabler(profile, c.actor());
              return EnablerView.of(profile);
            });
    api.delete("/enablers/{fqdn}", "Deletes an Enabler; its devices' keys for it are revoked")
        .access(Access.WRITE)
        .answers(Deleted.class)
        .run(c -> new Deleted(km.admin().deleteEnabler(c.path("fqdn"), c.actor())));
    api.get("/enabler-credentials", "Credentials Enablers use for the lookup API (no secrets)")
        .answers(new Types.Of(Items.class, CredentialView.class))
        .run(
            c ->
                new Items<>(
                    km.enablerCredentials().list().stream()
                        .map(
                            i ->
                                new CredentialView(
                                    i.label(),
                                    i.nafFqdn(),
                                    i.createdAt(),
                                    i.revokedAt().orElse(null)))
                        .toList()));
    api.post("/enabler-credentials", "Issues an Enabler credential; its secret is shown once")
        .access(Access.WRITE)
        .body(NewCredential.class)
        .answers(201, IssuedCredential.class)
        .run(
            (Api.Call<NewCredential> c) -> {
              var issued = km.enablerCredentials().issue(c.body().nafFqdn(), c.actor());
              // the secret is shown once, for the Enabler's configuration; only its hash is stored
              return Reply.created(
                  "/api/v1/enabler-credentials/" + issued.label(),
                  new IssuedCredential(issued.label(), issued.nafFqdn(), issued.secret()));
            });
    api.post("/enabler-credentials/{label}/revoke", "Revokes an Enabler credential")
        .access(Access.WRITE)
        .answers(204, null)
        .run(
            c -> {
              km.enablerCredentials().revoke(c.path("label"), c.actor());
              return Reply.noContent();
            });

    api.tag("server");
    api.get("/server", "Where this server listens, its certificate, version, node, database")
        .answers(ServerView.class)
        .run(
            c -> {
              ServerInfo s = serverInfo();
              return new ServerView(
                  s.version(),
                  s.certificateSha256(),
                  s.node(),
                  s.database(),
                  s.startedAt(),
                  dm.registeredCount(),
                  s.endpoints().entrySet().stream()
                      .map(e -> new NamedUri(e.getKey(), e.getValue()))
                      .toList());
            });
    api.get("/server/certificate.pem", "This server's HTTPS certificate, for pinning")
        .answersText("application/x-pem-file")
        .run(
            c ->
                Reply.bytes(
                    "application/x-pem-file",
                    serverInfo().certificatePem().getBytes(StandardCharsets.UTF_8)));
  }

  private ServerInfo serverInfo() {
    ServerInfo s = info.get();
    if (s == null) {
      throw new ApiException(404, "not_found", null, "this server has no Server page");
    }
    return s;
  }

  private static EnablerProfile profile(String fqdn, EnablerBody in) {
    URI uri;
    try {
      uri = URI.create(in.uri());
    } catch (IllegalArgumentException e) {
      throw ApiException.badRequest("uri", "uri is not a URI");
    }
    UaSecurityProtocolId ua;
    try {
      ua =
          in.uaSecurityProtocolId() == null
              ? UaSecurityProtocolId.omaPskTls(EnablerProfile.TLS_PSK_WITH_AES_128_CCM_8)
              : UaSecurityProtocolId.parse(in.uaSecurityProtocolId());
    } catch (IllegalArgumentException e) {
      throw ApiException.badRequest("uaSecurityProtocolId", e.getMessage());
    }
    NafId nafId;
    try {
      nafId = new NafId(fqdn, ua);
    } catch (IllegalArgumentException e) {
      throw ApiException.badRequest("fqdn", e.getMessage());
    }
    List<String> allow = in.allowList() == null ? List.of() : in.allowList();
    List<Integer> suites = in.cipherSuites() == null ? List.of() : in.cipherSuites();
    try {
      return new EnablerProfile(
          nafId,
          uri,
          allow.isEmpty() ? List.of(uri.toString()) : allow,
          suites.isEmpty() ? List.of(EnablerProfile.TLS_PSK_WITH_AES_128_CCM_8) : suites,
          Duration.ofSeconds(in.keyLifetimeSeconds() == null ? 86_400 : in.keyLifetimeSeconds()),
          Boolean.TRUE.equals(in.atBootstrap()));
    } catch (IllegalArgumentException e) {
      String field =
          e.getMessage().startsWith("Enabler URI")
              ? "uri"
              : e.getMessage().contains("lifetime") ? "keyLifetimeSeconds" : "cipherSuites";
      throw ApiException.badRequest(field, e.getMessage());
    }
  }

  private List<AuditEvent> audit(Api.Call<?> c) {
    Instant since = null;
    String sinceText = c.query("since", null);
    if (sinceText != null) {
      try {
        since = Instant.parse(sinceText);
      } catch (DateTimeParseException e) {
        throw ApiException.badRequest(
            "since", "since must be an ISO-8601 instant such as 2026-11-28T00:00:00Z");
      }
    }
    String beforeText = c.query("before", null);
    Long before = null;
    if (beforeText != null) {
      try {
        before = Long.parseLong(beforeText);
      } catch (NumberFormatException e) {
        throw ApiException.badRequest("before", "before is an event id (a whole number)");
      }
    }
    return km.audit()
        .search(
            blankIsNull(c.query("device", null)),
            blankIsNull(c.query("enabler", null)),
            blankIsNull(c.query("action", null)),
            since,
            before,
            intParam(c, "limit", 200, 1, 100_000));
  }

  private static String blankIsNull(String s) {
    return s == null || s.isBlank() ? null : s.trim();
  }

  static int intParam(Api.Call<?> c, String name, int fallback, int min, int max) {
    String v = c.query(name, null);
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

  private static byte[] auditCsv(List<AuditEvent> events) {
    StringBuilder csv = new StringBuilder("id,at,actor,action,subject,detail\n");
    for (AuditEvent e : events) {
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
    return csv.toString().getBytes(StandardCharsets.UTF_8);
  }

  /**
   * Every device with its assignments, a row per (device, Enabler) and one per device without any:
   * the DM PSK identity, never a key; cells formula-safe.
   */
  private byte[] devicesCsv() {
    StringBuilder csv =
        new StringBuilder(
            "endpoint,dm_psk_identity,impi,created_at,online,enabler,state,detail,key_version,"
                + "key_expires_at,last_connection_result\n");
    List<Device> all = km.admin().devices();
    Map<String, List<Assignment>> assignments =
        km.ledger().assignments(all.stream().map(Device::endpoint).toList());
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
              + dm.isRegistered(d.endpoint())
              + ',';
      List<Assignment> list = assignments.getOrDefault(d.endpoint(), List.of());
      if (list.isEmpty()) {
        csv.append(device).append(",,,,,\n");
      }
      for (Assignment a : list) {
        csv.append(device)
            .append(cell(a.nafFqdn()))
            .append(',')
            .append(Views.lower(a.state()))
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
    return csv.toString().getBytes(StandardCharsets.UTF_8);
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
