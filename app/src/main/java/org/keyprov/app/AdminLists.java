package org.keyprov.app;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.keyprov.keys.Assignment;
import org.keyprov.keys.AuditEvent;
import org.keyprov.keys.CredentialAdmin;
import org.keyprov.keys.Device;
import org.keyprov.keys.EnablerProfile;
import org.keyprov.keys.OperatorAccounts;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The admin commands that list (each with {@code --json}, one JSON array for scripts: times in
 * ISO-8601, absent values null) and {@code delete-device}. Never a secret: devices show their DM
 * PSK identity, not the key.
 */
final class AdminLists {
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private AdminLists() {}

  /** {@code --json}, for every listing command. */
  static final class JsonOption {
    @Option(names = "--json", description = "Print one JSON array instead of a table.")
    boolean json;
  }

  static void printJson(PrintWriter out, List<Map<String, Object>> rows) throws Exception {
    out.println(JSON.writeValueAsString(rows));
  }

  private static Object orNull(Optional<?> value) {
    return value.map(Object::toString).orElse(null);
  }

  /** A row of {@code admin status --json}: one per (device, Enabler), or per device without any. */
  static Map<String, Object> statusRow(Device d, Assignment a) {
    Map<String, Object> row = new LinkedHashMap<>();
    row.put("endpoint", d.endpoint());
    row.put("enabler", a == null ? null : a.nafFqdn());
    row.put("state", a == null ? null : a.state().name());
    row.put("detail", a == null ? null : a.detail());
    row.put("attempts", a == null ? null : a.attempts());
    row.put("nextAttemptAt", a == null ? null : orNull(a.nextAttemptAt()));
    row.put("keyVersion", a == null ? null : a.keyVersion().orElse(null));
    row.put("keyExpiresAt", a == null ? null : orNull(a.keyExpiresAt()));
    row.put("lastConnectionResult", a == null ? null : a.lastConnectionResult().orElse(null));
    row.put("updatedAt", a == null ? null : a.updatedAt().toString());
    return row;
  }

  static Map<String, Object> auditRow(AuditEvent e) {
    Map<String, Object> row = new LinkedHashMap<>();
    row.put("id", e.id());
    row.put("at", e.at().toString());
    row.put("actor", e.actor());
    row.put("action", e.action());
    row.put("subject", e.subject());
    row.put("detail", e.detail());
    return row;
  }

  @Command(
      name = "list-devices",
      mixinStandardHelpOptions = true,
      description = "Lists the devices (endpoint, IMPI, DM PSK identity; never a key).")
  static final class ListDevices implements Callable<Integer> {
    @Spec picocli.CommandLine.Model.CommandSpec spec;
    @Mixin StorageOptions storage;
    @Mixin JsonOption format;

    @Override
    public Integer call() throws Exception {
      PrintWriter out = spec.commandLine().getOut();
      try (Storage store = storage.open()) {
        List<Map<String, Object>> rows = new ArrayList<>();
        for (Device d : store.keyManager.admin().devices()) {
          Map<String, Object> row = new LinkedHashMap<>();
          row.put("endpoint", d.endpoint());
          row.put("impi", d.impi());
          row.put("dmPskIdentity", d.dmPskIdentity());
          row.put("createdAt", d.createdAt().toString());
          rows.add(row);
        }
        if (format.json) {
          printJson(out, rows);
        } else {
          out.printf("%-24s %-24s %-40s %s%n", "DEVICE", "DM PSK IDENTITY", "IMPI", "CREATED");
          for (Map<String, Object> r : rows) {
            out.printf(
                "%-24s %-24s %-40s %s%n",
                r.get("endpoint"), r.get("dmPskIdentity"), r.get("impi"), r.get("createdAt"));
          }
        }
      }
      return 0;
    }
  }

  @Command(
      name = "list-enablers",
      mixinStandardHelpOptions = true,
      description = "Lists the Enablers and what their devices are given.")
  static final class ListEnablers implements Callable<Integer> {
    @Spec picocli.CommandLine.Model.CommandSpec spec;
    @Mixin StorageOptions storage;
    @Mixin JsonOption format;

    @Override
    public Integer call() throws Exception {
      PrintWriter out = spec.commandLine().getOut();
      try (Storage store = storage.open()) {
        List<Map<String, Object>> rows = new ArrayList<>();
        for (EnablerProfile e : store.keyManager.admin().enablers()) {
          Map<String, Object> row = new LinkedHashMap<>();
          row.put("fqdn", e.nafId().fqdn());
          row.put("uri", e.uri().toString());
          row.put("ua", e.nafId().ua().toString());
          row.put("allowList", e.allowList());
          row.put(
              "cipherSuites",
              e.cipherSuites().stream().map(s -> String.format("0x%04X", s)).toList());
          row.put("keyLifetime", e.keyLifetime().toString());
          rows.add(row);
        }
        if (format.json) {
          printJson(out, rows);
        } else {
          out.printf("%-30s %-32s %-10s %s%n", "ENABLER", "URI", "KEY LIFE", "CIPHER SUITES");
          for (Map<String, Object> r : rows) {
            out.printf(
                "%-30s %-32s %-10s %s%n",
                r.get("fqdn"), r.get("uri"), r.get("keyLifetime"), r.get("cipherSuites"));
          }
        }
      }
      return 0;
    }
  }

  @Command(
      name = "list-operators",
      mixinStandardHelpOptions = true,
      description = "Lists the operator accounts and their roles.")
  static final class ListOperators implements Callable<Integer> {
    @Spec picocli.CommandLine.Model.CommandSpec spec;
    @Mixin StorageOptions storage;
    @Mixin JsonOption format;

    @Override
    public Integer call() throws Exception {
      PrintWriter out = spec.commandLine().getOut();
      try (Storage store = storage.open()) {
        List<Map<String, Object>> rows = new ArrayList<>();
        for (OperatorAccounts.Operator o : store.keyManager.operators().list()) {
          Map<String, Object> row = new LinkedHashMap<>();
          row.put("username", o.username());
          row.put("role", o.role().name().toLowerCase(java.util.Locale.ROOT));
          rows.add(row);
        }
        if (format.json) {
          printJson(out, rows);
        } else {
          out.printf("%-24s %s%n", "OPERATOR", "ROLE");
          for (Map<String, Object> r : rows) {
            out.printf("%-24s %s%n", r.get("username"), r.get("role"));
          }
        }
      }
      return 0;
    }
  }

  @Command(
      name = "delete-device",
      mixinStandardHelpOptions = true,
      description = {
        "Deletes a device, its assignments and keys. Its keys stop working at the Enablers at once",
        "and the DM server ends its DTLS session and registration."
      })
  static final class DeleteDevice implements Callable<Integer> {
    @Spec picocli.CommandLine.Model.CommandSpec spec;
    @Mixin StorageOptions storage;

    @Option(names = "--endpoint", required = true)
    String endpoint;

    @Override
    public Integer call() throws Exception {
      try (Storage store = storage.open()) {
        store.keyManager.admin().deleteDevice(endpoint, CredentialAdmin.cliActor());
        spec.commandLine().getOut().printf("device %s deleted%n", endpoint);
      }
      return 0;
    }
  }
}
