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
 * The admin commands for scripts: listings (each with {@code --json}, one JSON array: times in
 * ISO-8601, absent values null), {@code delete-device} and {@code import}. Never a secret: devices
 * show their DM PSK identity, not the key.
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

  /** A listing: its rows, printed as a table or, with {@code --json}, as one JSON array. */
  abstract static class Listing implements Callable<Integer> {
    @Spec picocli.CommandLine.Model.CommandSpec spec;
    @Mixin StorageOptions storage;
    @Mixin JsonOption format;

    abstract List<Map<String, Object>> rows(Storage store);

    /** The table's format, for the header and for each row's values in order. */
    abstract String format();

    abstract Object[] header();

    @Override
    public Integer call() throws Exception {
      PrintWriter out = spec.commandLine().getOut();
      try (Storage store = storage.open()) {
        List<Map<String, Object>> rows = rows(store);
        if (format.json) {
          printJson(out, rows);
        } else {
          out.printf(format(), header());
          for (Map<String, Object> r : rows) {
            out.printf(format(), r.values().toArray());
          }
        }
      }
      return 0;
    }
  }

  @Command(
      name = "list-devices",
      mixinStandardHelpOptions = true,
      description = "Lists the devices (endpoint, DM PSK identity, IMPI; never a key).")
  static final class ListDevices extends Listing {
    @Override
    List<Map<String, Object>> rows(Storage store) {
      List<Map<String, Object>> rows = new ArrayList<>();
      for (Device d : store.keyManager.admin().devices()) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("endpoint", d.endpoint());
        row.put("dmPskIdentity", d.dmPskIdentity());
        row.put("impi", d.impi());
        row.put("createdAt", d.createdAt().toString());
        rows.add(row);
      }
      return rows;
    }

    @Override
    String format() {
      return "%-24s %-24s %-40s %s%n";
    }

    @Override
    Object[] header() {
      return new Object[] {"DEVICE", "DM PSK IDENTITY", "IMPI", "CREATED"};
    }
  }

  @Command(
      name = "list-enablers",
      mixinStandardHelpOptions = true,
      description = "Lists the Enablers and what their devices are given.")
  static final class ListEnablers extends Listing {
    @Override
    List<Map<String, Object>> rows(Storage store) {
      List<Map<String, Object>> rows = new ArrayList<>();
      for (EnablerProfile e : store.keyManager.admin().enablers()) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("fqdn", e.nafId().fqdn());
        row.put("uri", e.uri().toString());
        row.put("keyLifetime", e.keyLifetime().toString());
        row.put(
            "cipherSuites",
            e.cipherSuites().stream().map(c -> String.format("0x%04X", c)).toList());
        row.put("allowList", e.allowList());
        row.put("ua", e.nafId().ua().toString());
        rows.add(row);
      }
      return rows;
    }

    @Override
    String format() {
      return "%-30s %-32s %-10s %s %s %s%n";
    }

    @Override
    Object[] header() {
      return new Object[] {"ENABLER", "URI", "KEY LIFE", "CIPHER SUITES", "ALLOW-LIST", "UA"};
    }
  }

  @Command(
      name = "list-operators",
      mixinStandardHelpOptions = true,
      description = "Lists the operator accounts and their roles.")
  static final class ListOperators extends Listing {
    @Override
    List<Map<String, Object>> rows(Storage store) {
      List<Map<String, Object>> rows = new ArrayList<>();
      for (OperatorAccounts.Operator o : store.keyManager.operators().list()) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("username", o.username());
        row.put("role", o.role().name().toLowerCase(java.util.Locale.ROOT));
        rows.add(row);
      }
      return rows;
    }

    @Override
    String format() {
      return "%-24s %s%n";
    }

    @Override
    Object[] header() {
      return new Object[] {"OPERATOR", "ROLE"};
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

  @Command(
      name = "delete-enabler",
      mixinStandardHelpOptions = true,
      description = {
        "Deletes an Enabler: it is taken off every device (their instances of it are deleted) and",
        "its keys stop working at once. Its credentials stay until revoked."
      })
  static final class DeleteEnabler implements Callable<Integer> {
    @Spec picocli.CommandLine.Model.CommandSpec spec;
    @Mixin StorageOptions storage;

    @Option(names = "--fqdn", required = true, description = "NAF FQDN of the Enabler.")
    String fqdn;

    @Override
    public Integer call() throws Exception {
      try (Storage store = storage.open()) {
        int devices = store.keyManager.admin().deleteEnabler(fqdn, CredentialAdmin.cliActor());
        spec.commandLine()
            .getOut()
            .printf("Enabler %s deleted; taken off %d device(s)%n", fqdn, devices);
      }
      return 0;
    }
  }

  @Command(
      name = "import",
      mixinStandardHelpOptions = true,
      description = {
        "Adds the devices of a CSV file (endpoint,dm_psk_identity,dm_psk_hex[,enablers], or",
        "endpoint,bs_psk_identity,bs_psk_hex[,enablers] for factory bootstrap credentials), with the",
        "operator UI's rules: in mode all (the default) nothing is added unless every line is good."
      })
  static final class ImportDevices implements Callable<Integer> {
    @Spec picocli.CommandLine.Model.CommandSpec spec;
    @Mixin StorageOptions storage;
    @Mixin JsonOption format;

    @picocli.CommandLine.Parameters(paramLabel = "FILE", description = "The CSV file.")
    java.nio.file.Path file;

    @Option(
        names = "--mode",
        defaultValue = "all",
        description = "all (nothing added if any line is bad) or valid (add the good lines).")
    String mode;

    @Override
    public Integer call() throws Exception {
      if (!mode.equals("all") && !mode.equals("valid")) {
        throw new UsageException("--mode " + mode + ": give all or valid");
      }
      if (!java.nio.file.Files.isReadable(file)) {
        throw new UsageException(file + ": no such readable file");
      }
      String csv = java.nio.file.Files.readString(file, java.nio.charset.StandardCharsets.UTF_8);
      PrintWriter out = spec.commandLine().getOut();
      org.keyprov.web.api.DeviceImport.Result result;
      try (Storage store = storage.open()) {
        result =
            org.keyprov.web.api.DeviceImport.run(
                store.keyManager.admin(), csv, mode.equals("all"), CredentialAdmin.cliActor());
      }
      if (format.json) {
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("imported", result.imported());
        answer.put("mode", mode);
        answer.put(
            "errors",
            result.problems().stream()
                .map(p -> Map.of("line", (Object) p.line(), "message", p.message()))
                .toList());
        out.println(JSON.writeValueAsString(answer));
      } else {
        out.printf("%d devices imported from %s (mode %s)%n", result.imported(), file, mode);
        for (org.keyprov.web.api.DeviceImport.Problem p : result.problems()) {
          spec.commandLine().getErr().printf("%s:%d: %s%n", file, p.line(), p.message());
        }
      }
      return mode.equals("all") && !result.problems().isEmpty() ? 1 : 0;
    }
  }
}
