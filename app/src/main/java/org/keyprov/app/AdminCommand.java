package org.keyprov.app;

import java.io.PrintWriter;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.keyprov.keys.Assignment;
import org.keyprov.keys.AuditEvent;
import org.keyprov.keys.CredentialAdmin;
import org.keyprov.keys.Device;
import org.keyprov.keys.DmPsk;
import org.keyprov.keys.EnablerProfile;
import org.keyprov.keys.gba.BTid;
import org.keyprov.keys.gba.NafId;
import org.keyprov.keys.gba.UaSecurityProtocolId;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "admin",
    mixinStandardHelpOptions = true,
    description = "Operator tasks on the Key Manager's data (works while the server runs).",
    subcommands = {
      AdminCommand.AddDevice.class,
      AdminCommand.AddEnabler.class,
      AdminCommand.Assign.class,
      AdminCommand.Unassign.class,
      AdminCommand.ChangeDmPsk.class,
      AdminBootstrap.SetBootstrapPsk.class,
      AdminBootstrap.RotateDmPsk.class,
      AdminBootstrap.RotateBootstrapPsk.class,
      AdminCommand.Status.class,
      AdminCommand.Revoke.class,
      AdminCommand.Reprovision.class,
      AdminCommand.AddOperator.class,
      AdminCommand.ResetPassword.class,
      AdminCommand.Audit.class,
      AdminLists.ListDevices.class,
      AdminLists.ListEnablers.class,
      AdminLists.ListOperators.class,
      AdminLists.DeleteDevice.class,
      AdminLists.DeleteEnabler.class,
      AdminLists.ImportDevices.class,
      AdminTokens.Issue.class,
      AdminTokens.ListTokens.class,
      AdminTokens.Revoke.class
    })
final class AdminCommand implements Runnable {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  @Command(
      name = "add-device",
      mixinStandardHelpOptions = true,
      description = "Registers a device and its DM (DTLS-PSK) credential.")
  static final class AddDevice implements Callable<Integer> {
    @Spec picocli.CommandLine.Model.CommandSpec spec;
    @Mixin StorageOptions storage;

    @Option(names = "--endpoint", required = true, description = "LwM2M endpoint name.")
    String endpoint;

    @Option(names = "--dm-identity", description = "DM PSK identity (default: the endpoint name).")
    String identity;

    @Option(
        names = "--dm-psk",
        description = "DM PSK, hex (16–64 bytes). Default: generate one and print it once.")
    String psk;

    @Option(
        names = "--bs-psk",
        description =
            "The device's factory bootstrap PSK, hex (16–64 bytes): it bootstraps at keyprov's"
                + " bootstrap server (keyprov server --bootstrap-port) and is given a DM PSK"
                + " nobody sees. Instead of --dm-psk.")
    String bsPsk;

    @Option(
        names = "--bs-identity",
        description = "Factory bootstrap PSK identity (default: the endpoint name).")
    String bsIdentity;

    @Override
    public Integer call() throws Exception {
      String dmIdentity = identity == null ? endpoint : identity;
      if (bsPsk != null && (psk != null || identity != null)) {
        throw new UsageException(
            "--bs-psk gives the device a factory bootstrap credential; the bootstrap server mints"
                + " its DM PSK, so leave out --dm-psk and --dm-identity");
      }
      if (bsIdentity != null && bsPsk == null) {
        throw new UsageException("--bs-identity needs --bs-psk (the factory bootstrap PSK, hex)");
      }
      try (Storage store = storage.open()) {
        CredentialAdmin admin = store.keyManager.admin();
        if (bsPsk != null) {
          Device d =
              admin.addBootstrapDevice(
                  endpoint,
                  bsIdentity == null ? endpoint : bsIdentity,
                  Hex.parse("--bs-psk", bsPsk),
                  CredentialAdmin.cliActor());
          spec.commandLine()
              .getOut()
              .printf(
                  "device %s added (IMPI %s) with factory bootstrap PSK identity %s; it gets its"
                      + " DM PSK from the bootstrap server%n",
                  d.endpoint(), d.impi(), bsIdentity == null ? endpoint : bsIdentity);
          return 0;
        }
        DmPsk generated =
            psk == null
                ? admin.addDeviceWithNewPsk(endpoint, dmIdentity, CredentialAdmin.cliActor())
                : null;
        Device d =
            psk == null
                ? admin.device(endpoint).orElseThrow()
                : admin.addDevice(
                    endpoint, dmIdentity, Hex.parse("--dm-psk", psk), CredentialAdmin.cliActor());
        PrintWriter out = spec.commandLine().getOut();
        out.printf(
            "device %s added (IMPI %s, DM PSK identity %s)%n",
            d.endpoint(), d.impi(), d.dmPskIdentity());
        if (generated != null) {
          out.printf(
              "DM PSK (shown once, flash it to the device): %s%n", Hex.format(generated.key()));
        }
      }
      return 0;
    }
  }

  @Command(
      name = "add-enabler",
      mixinStandardHelpOptions = true,
      description = "Adds or changes an Enabler (NAF).")
  static final class AddEnabler implements Callable<Integer> {
    @Spec picocli.CommandLine.Model.CommandSpec spec;
    @Mixin StorageOptions storage;

    @Option(names = "--fqdn", required = true, description = "NAF FQDN of the Enabler.")
    String fqdn;

    @Option(
        names = "--uri",
        required = true,
        description = "Where devices reach it: coaps://host:port or tls://host:port.")
    URI uri;

    @Option(
        names = "--ua",
        description =
            "Ua security protocol id, 5 bytes hex (default: OMA 030001c0a8, PSK-TLS with TLS_PSK_WITH_AES_128_CCM_8).")
    String ua;

    @Option(
        names = "--allow",
        description = "URL the key may be used with; repeat. Default: the Enabler URI.")
    List<String> allow = new ArrayList<>();

    @Option(
        names = "--suite",
        description = "IANA cipher suite code (e.g. 0xC0A8); repeat. Default: 0xC0A8.")
    List<String> suites = new ArrayList<>();

    @Option(
        names = "--key-lifetime",
        defaultValue = "P1D",
        description = "Key lifetime, e.g. 12h, 1d or ISO-8601 P1D (default: ${DEFAULT-VALUE}).")
    Duration lifetime;

    @Option(
        names = "--at-bootstrap",
        description =
            "Write this Enabler's parameters to devices at their first bootstrap (keyprov server"
                + " --bootstrap-port), before they register; the DM server renews them as usual.")
    boolean atBootstrap;

    @Override
    public Integer call() throws Exception {
      UaSecurityProtocolId uaId =
          ua == null
              ? UaSecurityProtocolId.omaPskTls(EnablerProfile.TLS_PSK_WITH_AES_128_CCM_8)
              : parseUa(ua);
      List<Integer> codes = new ArrayList<>();
      for (String s : suites.isEmpty() ? List.of("0xC0A8") : suites) {
        try {
          codes.add(Integer.decode(s.trim()));
        } catch (NumberFormatException e) {
          throw new UsageException(
              "--suite must be a number such as 0xC0A8 or 49320, got '" + s + "'");
        }
      }
      EnablerProfile profile =
          new EnablerProfile(
              new NafId(fqdn, uaId),
              uri,
              allow.isEmpty() ? List.of(uri.toString()) : allow,
              codes,
              lifetime,
              atBootstrap);
      try (Storage store = storage.open()) {
        store.keyManager.admin().putEnabler(profile, CredentialAdmin.cliActor());
        spec.commandLine()
            .getOut()
            .printf(
                "Enabler %s stored (NAF_Id %s, URI %s)%n", profile.fqdn(), profile.nafId(), uri);
      }
      return 0;
    }
  }

  static UaSecurityProtocolId parseUa(String hex) {
    try {
      return UaSecurityProtocolId.parse(hex);
    } catch (IllegalArgumentException e) {
      throw new UsageException("--ua: " + e.getMessage());
    }
  }

  @Command(
      name = "assign",
      mixinStandardHelpOptions = true,
      description = "Assigns an Enabler to a device.")
  static final class Assign implements Callable<Integer> {
    @Spec picocli.CommandLine.Model.CommandSpec spec;
    @Mixin StorageOptions storage;

    @Option(names = "--endpoint", required = true)
    String endpoint;

    @Option(names = "--enabler", required = true, description = "NAF FQDN.")
    String enabler;

    @Override
    public Integer call() throws Exception {
      try (Storage store = storage.open()) {
        store.keyManager.admin().assign(endpoint, enabler, CredentialAdmin.cliActor());
        spec.commandLine()
            .getOut()
            .printf(
                "Enabler %s assigned to %s; provisioned at its next registration or update%n",
                enabler, endpoint);
      }
      return 0;
    }
  }

  @Command(
      name = "unassign",
      mixinStandardHelpOptions = true,
      description = {
        "Takes an Enabler off a device: its keys for that Enabler stop working at every Enabler",
        "at once, and the DM server deletes the device's instance for it."
      })
  static final class Unassign implements Callable<Integer> {
    @Spec picocli.CommandLine.Model.CommandSpec spec;
    @Mixin StorageOptions storage;

    @Option(names = "--endpoint", required = true)
    String endpoint;

    @Option(names = "--enabler", required = true, description = "NAF FQDN.")
    String enabler;

    @Override
    public Integer call() throws Exception {
      try (Storage store = storage.open()) {
        store.keyManager.admin().unassign(endpoint, enabler, CredentialAdmin.cliActor());
        spec.commandLine()
            .getOut()
            .printf("Enabler %s taken off %s; its keys no longer work%n", enabler, endpoint);
      }
      return 0;
    }
  }

  @Command(
      name = "change-dm-psk",
      mixinStandardHelpOptions = true,
      description = {
        "Gives a device a new random DM PSK, printed once. The old one stops working at once:",
        "the DM server ends the device's DTLS session and registration."
      })
  static final class ChangeDmPsk implements Callable<Integer> {
    @Spec picocli.CommandLine.Model.CommandSpec spec;
    @Mixin StorageOptions storage;

    @Option(names = "--endpoint", required = true)
    String endpoint;

    @Override
    public Integer call() throws Exception {
      try (Storage store = storage.open()) {
        DmPsk psk = store.keyManager.admin().changeDmPsk(endpoint, CredentialAdmin.cliActor());
        spec.commandLine()
            .getOut()
            .printf(
                "DM PSK of %s (identity %s) changed; the old one no longer works.%n"
                    + "New DM PSK (shown once, flash it to the device): %s%n",
                endpoint, psk.identity(), Hex.format(psk.key()));
      }
      return 0;
    }
  }

  @Command(
      name = "status",
      mixinStandardHelpOptions = true,
      description = "Lists devices and their provisioning state.")
  static final class Status implements Callable<Integer> {
    @Spec picocli.CommandLine.Model.CommandSpec spec;
    @Mixin StorageOptions storage;
    @Mixin AdminLists.JsonOption format;

    @Override
    public Integer call() throws Exception {
      PrintWriter out = spec.commandLine().getOut();
      try (Storage store = storage.open()) {
        if (format.json) {
          List<java.util.Map<String, Object>> rows = new java.util.ArrayList<>();
          for (Device d : store.keyManager.admin().devices()) {
            List<Assignment> list = store.keyManager.ledger().assignments(d.endpoint());
            if (list.isEmpty()) {
              rows.add(AdminLists.statusRow(d, null));
            }
            list.forEach(a -> rows.add(AdminLists.statusRow(d, a)));
          }
          AdminLists.printJson(out, rows);
          return 0;
        }
        out.printf(
            "%-24s %-24s %-12s %s%n", "DEVICE", "ENABLER", "STATE", "DETAIL / LAST CONNECTION");
        for (Device d : store.keyManager.admin().devices()) {
          List<Assignment> list = store.keyManager.ledger().assignments(d.endpoint());
          if (list.isEmpty()) {
            out.printf("%-24s %-24s %-12s%n", d.endpoint(), "-", "-");
          }
          for (Assignment a : list) {
            out.printf(
                "%-24s %-24s %-12s %s%s%n",
                d.endpoint(),
                a.nafFqdn(),
                a.state(),
                a.detail(),
                a.lastConnectionResult().map(r -> " / " + r).orElse(""));
          }
        }
      }
      return 0;
    }
  }

  @Command(
      name = "revoke",
      mixinStandardHelpOptions = true,
      description = "Revokes a key by its B-TID.")
  static final class Revoke implements Callable<Integer> {
    @Spec picocli.CommandLine.Model.CommandSpec spec;
    @Mixin StorageOptions storage;

    @Option(names = "--btid", required = true)
    String btid;

    @Override
    public Integer call() throws Exception {
      BTid id =
          BTid.fromPskIdentity(btid)
              .orElseThrow(
                  () ->
                      new UsageException(
                          "--btid '" + btid + "' is not a B-TID (base64(RAND)@domain)"));
      try (Storage store = storage.open()) {
        store.keyManager.admin().revoke(id, CredentialAdmin.cliActor());
        spec.commandLine().getOut().printf("revoked %s%n", id);
      }
      return 0;
    }
  }

  @Command(
      name = "add-operator",
      mixinStandardHelpOptions = true,
      description = "Creates a web UI / REST API account with a random password, printed once.")
  static final class AddOperator implements Callable<Integer> {
    @Spec picocli.CommandLine.Model.CommandSpec spec;
    @Mixin StorageOptions storage;

    @Option(names = "--username", required = true)
    String username;

    @Option(names = "--role", required = true, description = "admin, operator or auditor.")
    String role;

    @Override
    public Integer call() throws Exception {
      org.keyprov.keys.OperatorAccounts.Role r;
      try {
        r = org.keyprov.keys.OperatorAccounts.Role.valueOf(role.toUpperCase(java.util.Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new UsageException("--role must be admin, operator or auditor, got '" + role + "'");
      }
      try (Storage store = storage.open()) {
        String password =
            store
                .keyManager
                .operators()
                .createWithNewPassword(username, r, CredentialAdmin.cliActor());
        spec.commandLine()
            .getOut()
            .printf(
                "operator %s (%s) created; password (shown once): %s%n", username, role, password);
      }
      return 0;
    }
  }

  @Command(
      name = "reset-password",
      mixinStandardHelpOptions = true,
      description =
          "Gives an operator account a new random password, printed once (e.g. a lost admin"
              + " password). The account's open web sessions end at their next request.")
  static final class ResetPassword implements Callable<Integer> {
    @Spec picocli.CommandLine.Model.CommandSpec spec;
    @Mixin StorageOptions storage;

    @Option(names = "--username", required = true)
    String username;

    @Override
    public Integer call() throws Exception {
      try (Storage store = storage.open()) {
        String password =
            store.keyManager.operators().resetPassword(username, CredentialAdmin.cliActor());
        spec.commandLine()
            .getOut()
            .printf("new password for %s (shown once): %s%n", username, password);
      }
      return 0;
    }
  }

  @Command(
      name = "reprovision",
      mixinStandardHelpOptions = true,
      description = "Provisions an assignment again at the device's next registration update.")
  static final class Reprovision implements Callable<Integer> {
    @Spec picocli.CommandLine.Model.CommandSpec spec;
    @Mixin StorageOptions storage;

    @Option(names = "--endpoint", required = true)
    String endpoint;

    @Option(names = "--enabler", required = true, description = "NAF FQDN.")
    String enabler;

    @Option(
        names = "--overwrite-sim",
        description = "Replace parameters the device read from its SIM.")
    boolean overwriteSim;

    @Override
    public Integer call() throws Exception {
      try (Storage store = storage.open()) {
        store
            .keyManager
            .ledger()
            .reprovision(endpoint, enabler, overwriteSim, CredentialAdmin.cliActor());
        spec.commandLine()
            .getOut()
            .printf(
                "%s / %s will be provisioned again%s%n",
                endpoint, enabler, overwriteSim ? ", replacing SIM parameters" : "");
      }
      return 0;
    }
  }

  @Command(
      name = "audit",
      mixinStandardHelpOptions = true,
      description = "Prints the newest audit events.")
  static final class Audit implements Callable<Integer> {
    @Spec picocli.CommandLine.Model.CommandSpec spec;
    @Mixin StorageOptions storage;

    @Option(names = "--limit", defaultValue = "50")
    int limit;

    @Mixin AdminLists.JsonOption format;

    @Override
    public Integer call() throws Exception {
      try (Storage store = storage.open()) {
        if (format.json) {
          AdminLists.printJson(
              spec.commandLine().getOut(),
              store.keyManager.audit().recent(limit).stream().map(AdminLists::auditRow).toList());
          return 0;
        }
        for (AuditEvent e : store.keyManager.audit().recent(limit)) {
          spec.commandLine()
              .getOut()
              .printf(
                  "%s %-12s %-22s %-30s %s%n",
                  e.at(), e.actor(), e.action(), e.subject(), e.detail());
        }
      }
      return 0;
    }
  }
}
