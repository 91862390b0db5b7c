package org.keyprov.web.api;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import java.util.List;

/**
 * What requests to the operator API carry, one record per kind of body. A field not named here is
 * refused (400 naming it); the rules are checked before any action runs. Records holding a secret
 * never print it.
 */
final class Bodies {
  private Bodies() {}

  static final String HEX = "([0-9a-fA-F]{2})+";

  record Login(@NotBlank String username, @NotNull String password) {
    @Override
    public String toString() {
      return "Login[" + username + "]";
    }
  }

  record PasswordChange(@NotNull String current, @NotNull String password) {
    @Override
    public String toString() {
      return "PasswordChange";
    }
  }

  /**
   * A new device: with {@code bsPsk} it has a factory bootstrap credential and gets its DM PSK from
   * the bootstrap server; otherwise its DM PSK is {@code dmPsk}, or generated and shown once.
   */
  record NewDevice(
      @NotBlank @Size(max = 255) String endpoint,
      @Size(max = 255) String dmPskIdentity,
      @Pattern(regexp = HEX, message = "must be hex, 16 to 64 bytes") String dmPsk,
      @Pattern(regexp = HEX, message = "must be hex, 16 to 64 bytes") String bsPsk,
      @Size(max = 255) String bsPskIdentity) {
    @Override
    public String toString() {
      return "NewDevice[" + endpoint + "]";
    }
  }

  record BootstrapPsk(
      @NotNull @Pattern(regexp = HEX, message = "must be hex, 16 to 64 bytes") String bsPsk,
      @Size(max = 255) String bsPskIdentity) {
    @Override
    public String toString() {
      return "BootstrapPsk[" + bsPskIdentity + "]";
    }
  }

  record NewAssignment(@NotBlank String enabler) {}

  record Reprovision(Boolean overwriteSim) {}

  record KeyRevocation(@NotBlank String btid) {}

  /** An Enabler; on PUT the FQDN comes from the path and {@code fqdn} may be left out. */
  record EnablerBody(
      String fqdn,
      @NotBlank String uri,
      @Size(max = 64) String uaSecurityProtocolId,
      List<@NotBlank String> allowList,
      List<@NotNull @Min(0) @Max(65535) Integer> cipherSuites,
      @Min(1) Long keyLifetimeSeconds,
      Boolean atBootstrap) {}

  record NewCredential(@NotBlank String nafFqdn) {}

  record NewOperator(
      @NotBlank String username,
      @NotNull String password,
      @NotNull
          @Pattern(regexp = "admin|operator|auditor", message = "is admin, operator or auditor")
          String role) {
    @Override
    public String toString() {
      return "NewOperator[" + username + ", " + role + "]";
    }
  }

  /** A personal API token; {@code scope} defaults to the caller's own role. */
  record NewToken(
      @NotBlank String name,
      @Pattern(regexp = "admin|operator|auditor", message = "is admin, operator or auditor")
          String scope) {}

  record ResourceWrite(@NotNull String value) {
    @Override
    public String toString() {
      return "ResourceWrite";
    }
  }

  record Execute(String arguments) {}

  /** A {@code keyprov admin} command line, without {@code admin}, and who typed it. */
  record CliRun(@NotNull List<@NotNull String> args, @Size(max = 64) String user) {
    @Override
    public String toString() {
      return "CliRun[" + (args == null || args.isEmpty() ? "" : args.get(0)) + "]";
    }
  }

  /** One action on many devices, each on its own: a device that fails does not stop the rest. */
  record Bulk(
      @NotNull
          @Pattern(
              regexp = "reprovision|revoke|delete",
              message = "is reprovision, revoke or delete")
          String action,
      @NotNull @Size(min = 1, max = 500) List<@NotBlank String> endpoints) {}
}
