package org.keyprov.web.api;

import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.keyprov.keys.Assignment;
import org.keyprov.keys.AuditEvent;
import org.keyprov.keys.Device;
import org.keyprov.keys.EnablerProfile;
import org.keyprov.server.ObjectAnswer;
import org.keyprov.server.RegistrationInfo;

/**
 * What the operator API answers, one record per kind of body (the OpenAPI document's schemas). None
 * holds key material, but for the DM PSK and secrets shown once on creation ({@link CreatedDevice},
 * {@link IssuedCredential}, {@link IssuedToken}, {@link NewPassword}).
 */
final class Views {
  private Views() {}

  static String lower(Enum<?> e) {
    return e.name().toLowerCase(Locale.ROOT);
  }

  record Items<T>(List<T> items) {}

  record Page<T>(List<T> items, String next) {}

  record Me(String username, String role, String csrfToken, String token) {}

  record Dashboard(
      long devices,
      long online,
      long pending,
      long provisioned,
      long failed,
      long expired,
      long unsupported,
      long sim,
      List<Event> recent) {
    static Dashboard of(Map<String, Long> counts, long online, List<Event> recent) {
      return new Dashboard(
          counts.getOrDefault("devices", 0L),
          online,
          counts.getOrDefault("pending", 0L),
          counts.getOrDefault("provisioned", 0L),
          counts.getOrDefault("failed", 0L),
          counts.getOrDefault("expired", 0L),
          counts.getOrDefault("unsupported", 0L),
          counts.getOrDefault("sim", 0L),
          recent);
    }
  }

  record Event(long id, Instant at, String actor, String action, String subject, String detail) {
    static Event of(AuditEvent e) {
      return new Event(e.id(), e.at(), e.actor(), e.action(), e.subject(), e.detail());
    }
  }

  /** A device in the list: its assignments' states and whether it is registered now. */
  record DeviceRow(
      String endpoint,
      String impi,
      String dmPskIdentity,
      Instant createdAt,
      List<AssignmentState> assignments,
      boolean online) {}

  record AssignmentState(String enabler, String state) {}

  /** A device as created; {@code dmPsk} only when the server generated it (shown once). */
  record CreatedDevice(
      String endpoint,
      String impi,
      String dmPskIdentity,
      Instant createdAt,
      @com.fasterxml.jackson.annotation.JsonInclude(
              com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL)
          String dmPsk) {
    static CreatedDevice of(Device d, String dmPsk) {
      return new CreatedDevice(d.endpoint(), d.impi(), d.dmPskIdentity(), d.createdAt(), dmPsk);
    }

    @Override
    public String toString() {
      return "CreatedDevice[" + endpoint + "]";
    }
  }

  /** One device with its registration (when registered), assignments and bootstrap state. */
  record DeviceDetail(
      String endpoint,
      String impi,
      String dmPskIdentity,
      Instant createdAt,
      boolean online,
      Registration registration,
      List<AssignmentDetail> assignments,
      BootstrapState bootstrap) {}

  record Registration(
      String id,
      String address,
      long lifetimeSeconds,
      String binding,
      boolean queueMode,
      String lwm2mVersion,
      Instant registeredAt,
      Instant lastUpdate,
      String node,
      List<String> objectLinks,
      List<String> contentFormats,
      boolean reportsBySend,
      boolean observed) {
    static Registration of(RegistrationInfo r) {
      return new Registration(
          r.registrationId(),
          r.address(),
          r.lifetimeSeconds(),
          r.binding(),
          r.queueMode(),
          r.lwm2mVersion(),
          r.registeredAt(),
          r.lastUpdate(),
          r.node(),
          r.objectLinks(),
          r.contentFormats(),
          r.reportsBySend(),
          r.observed());
    }
  }

  record AssignmentDetail(
      String enabler,
      String state,
      String detail,
      int attempts,
      String lastConnectionResult,
      Integer keyVersion,
      Instant keyExpiresAt,
      Instant updatedAt) {
    static AssignmentDetail of(Assignment a) {
      return new AssignmentDetail(
          a.nafFqdn(),
          lower(a.state()),
          a.detail(),
          a.attempts(),
          a.lastConnectionResult().orElse(null),
          a.keyVersion().orElse(null),
          a.keyExpiresAt().orElse(null),
          a.updatedAt());
    }
  }

  /** The device's bootstrap side; every member null for a device without a factory credential. */
  record BootstrapState(
      String bsPskIdentity,
      Instant bootstrappedAt,
      Integer dmPskVersion,
      Instant newDmPskIssuedAt,
      Instant rotationRequestedAt,
      Integer bsPskVersion,
      String newBsPskIdentity) {}

  record DmPskChanged(String endpoint, String dmPskIdentity, String dmPsk) {
    @Override
    public String toString() {
      return "DmPskChanged[" + endpoint + "]";
    }
  }

  record Rotation(String endpoint, boolean online, String message) {}

  record Revoked(int revoked) {}

  record Deleted(int devices) {}

  record ImportResult(int imported, String mode, List<ImportError> errors) {}

  record ImportError(int line, String message) {}

  /**
   * An import job: {@code state} running, done or failed; {@code done} of {@code rows} worked
   * through; {@code errors} the first 1,000 of {@code errorCount} problems.
   */
  record ImportJob(
      String id,
      String mode,
      String state,
      int rows,
      int done,
      int imported,
      int errorCount,
      List<ImportError> errors,
      String startedBy,
      Instant startedAt,
      Instant finishedAt) {}

  record EnablerView(
      String fqdn,
      String uri,
      String uaSecurityProtocolId,
      long keyLifetimeSeconds,
      boolean atBootstrap,
      List<String> allowList,
      List<Integer> cipherSuites) {
    static EnablerView of(EnablerProfile e) {
      return new EnablerView(
          e.fqdn(),
          e.uri().toString(),
          e.nafId().ua().toHex(),
          e.keyLifetime().toSeconds(),
          e.atBootstrap(),
          e.allowList(),
          e.cipherSuites());
    }
  }

  record CredentialView(String label, String nafFqdn, Instant createdAt, Instant revokedAt) {}

  record IssuedCredential(String label, String nafFqdn, String secret) {
    @Override
    public String toString() {
      return "IssuedCredential[" + label + "]";
    }
  }

  record OperatorView(String username, String role) {}

  record NewPassword(String username, String password) {
    @Override
    public String toString() {
      return "NewPassword[" + username + "]";
    }
  }

  record TokenView(
      String id, String name, String username, String scope, Instant createdAt, Instant revokedAt) {
    static TokenView of(org.keyprov.keys.ApiTokens.Token t) {
      return new TokenView(
          t.id(),
          t.name(),
          t.username(),
          lower(t.scope()),
          t.createdAt(),
          t.revokedAt().orElse(null));
    }
  }

  /** A new token; {@code secret} is shown once: send it as {@code Authorization: Bearer …}. */
  record IssuedToken(String id, String name, String username, String scope, String secret) {
    @Override
    public String toString() {
      return "IssuedToken[" + id + "]";
    }
  }

  record ServerView(
      String version,
      String certificateSha256,
      String node,
      String database,
      Instant startedAt,
      long registered,
      List<NamedUri> endpoints) {}

  record NamedUri(String name, String uri) {}

  record ObjectList(String endpoint, List<ObjectLink> objects, boolean online) {}

  record ObjectLink(String path, String link, String name) {}

  /** A device's answer to a read, write, execute, delete or observe, as it gave it. */
  record NodeAnswer(
      String code,
      String coapCode,
      boolean success,
      String error,
      String format,
      List<NodeResource> resources) {
    static NodeAnswer of(ObjectAnswer a) {
      return new NodeAnswer(
          a.code(),
          a.coapCode(),
          a.success(),
          a.error(),
          a.format(),
          a.resources().stream()
              .map(
                  r ->
                      new NodeResource(
                          r.path(),
                          r.id(),
                          r.name(),
                          r.type(),
                          r.operations(),
                          r.multiple(),
                          r.values().entrySet().stream()
                              .collect(
                                  java.util.stream.Collectors.toMap(
                                      e -> String.valueOf(e.getKey()),
                                      Map.Entry::getValue,
                                      (x, y) -> x,
                                      java.util.LinkedHashMap::new))))
              .toList());
    }
  }

  record NodeResource(
      String path,
      int id,
      String name,
      String type,
      String operations,
      boolean multiple,
      Map<String, String> values) {}

  /** What an admin command line printed (a generated DM PSK included) and its exit code. */
  record CliResult(int exitCode, String out, String err) {
    @Override
    public String toString() {
      return "CliResult[" + exitCode + "]";
    }
  }

  /** What a bulk action did: how many devices, and each one it could not do with the reason. */
  record BulkResult(String action, int done, List<BulkFailure> failed) {}

  record BulkFailure(String endpoint, String detail) {}
}
