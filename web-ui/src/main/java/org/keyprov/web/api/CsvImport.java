package org.keyprov.web.api;

import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.keyprov.keys.NewDevice;

/**
 * Parses a device CSV: a header {@code endpoint,dm_psk_identity,dm_psk_hex[,enablers]}, then one
 * device per line; {@code enablers} is a {@code ;}-separated list of NAF FQDNs. Pure: every row is
 * checked and every problem reported with its line number.
 */
final class CsvImport {
  record Row(int line, NewDevice device, List<String> enablers) {}

  record RowError(int line, String message) {}

  record Parsed(List<Row> rows, List<RowError> errors) {}

  static final int MAX_ROWS = 100_000;

  private CsvImport() {}

  static Parsed parse(String text) {
    List<Row> rows = new ArrayList<>();
    List<RowError> errors = new ArrayList<>();
    String[] lines = text.replace("\r\n", "\n").split("\n", -1);
    if (lines.length == 0
        || !lines[0]
            .trim()
            .toLowerCase(java.util.Locale.ROOT)
            .startsWith("endpoint,dm_psk_identity,dm_psk_hex")) {
      errors.add(
          new RowError(
              1,
              "the first line must be the header endpoint,dm_psk_identity,dm_psk_hex[,enablers]"));
      return new Parsed(rows, errors);
    }
    java.util.Set<String> seen = new java.util.HashSet<>();
    for (int i = 1; i < lines.length; i++) {
      int line = i + 1;
      String raw = lines[i].trim();
      if (raw.isEmpty()) {
        continue;
      }
      if (rows.size() + errors.size() >= MAX_ROWS) {
        errors.add(new RowError(line, "more than " + MAX_ROWS + " rows; split the file"));
        break;
      }
      String[] f = raw.split(",", -1);
      if (f.length < 3 || f.length > 4) {
        errors.add(new RowError(line, "expected 3 or 4 comma-separated fields, got " + f.length));
        continue;
      }
      String endpoint = f[0].trim();
      String identity = f[1].trim().isEmpty() ? endpoint : f[1].trim();
      String hex = f[2].trim();
      if (endpoint.isEmpty()) {
        errors.add(new RowError(line, "endpoint is empty"));
        continue;
      }
      if (!hex.matches("([0-9a-fA-F]{2}){16,64}")) {
        errors.add(new RowError(line, "dm_psk_hex must be 32 to 128 hex digits (16 to 64 bytes)"));
        continue;
      }
      if (!seen.add(endpoint)) {
        errors.add(new RowError(line, "endpoint " + endpoint + " appears twice in the file"));
        continue;
      }
      List<String> enablers = new ArrayList<>();
      if (f.length == 4 && !f[3].isBlank()) {
        for (String e : f[3].split(";")) {
          if (!e.isBlank()) {
            enablers.add(e.trim());
          }
        }
      }
      rows.add(
          new Row(line, new NewDevice(endpoint, identity, HexFormat.of().parseHex(hex)), enablers));
    }
    return new Parsed(rows, errors);
  }
}
