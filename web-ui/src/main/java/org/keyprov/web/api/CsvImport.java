package org.keyprov.web.api;

import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.keyprov.keys.NewDevice;

/**
 * Parses a device CSV: a header {@code endpoint,dm_psk_identity,dm_psk_hex[,enablers]} (devices
 * flashed with a DM PSK) or {@code endpoint,bs_psk_identity,bs_psk_hex[,enablers]} (devices with a
 * factory bootstrap credential), then one device per line; {@code enablers} is a {@code
 * ;}-separated list of NAF FQDNs. Pure: every row is checked and every problem reported with its
 * line number.
 */
final class CsvImport {
  record Row(int line, NewDevice device, List<String> enablers) {}

  record RowError(int line, String message) {}

  record Parsed(List<Row> rows, List<RowError> errors) {}

  static final int MAX_ROWS = 100_000;

  private CsvImport() {}

  private static final String HEADER =
      "endpoint,dm_psk_identity,dm_psk_hex[,enablers] (or bs_psk_identity,bs_psk_hex for factory"
          + " bootstrap credentials)";

  static Parsed parse(String text) {
    List<Row> rows = new ArrayList<>();
    List<RowError> errors = new ArrayList<>();
    if (text.startsWith("\uFEFF")) {
      text = text.substring(1); // Excel's "CSV UTF-8" begins with a byte order mark
    }
    String[] lines = text.replace("\r\n", "\n").replace('\r', '\n').split("\n", -1);
    String first = lines.length == 0 ? "" : lines[0].trim();
    // Excel writes ';' where the decimal separator is ','
    char delimiter = first.indexOf(';') >= 0 && first.indexOf(',') < 0 ? ';' : ',';
    List<String> header;
    try {
      header = fields(first, delimiter);
    } catch (IllegalArgumentException e) {
      header = List.of();
    }
    String kind = header.size() < 3 ? "" : header.get(1).strip().toLowerCase(java.util.Locale.ROOT);
    String prefix = kind.startsWith("bs_") ? "bs" : "dm";
    boolean factory = prefix.equals("bs");
    if (header.size() < 3
        || !header.get(0).strip().equalsIgnoreCase("endpoint")
        || !header.get(1).strip().equalsIgnoreCase(prefix + "_psk_identity")
        || !header.get(2).strip().equalsIgnoreCase(prefix + "_psk_hex")) {
      errors.add(
          new RowError(
              1,
              "the first line must be the header "
                  + HEADER
                  + " (commas or semicolons); it begins '"
                  + firstField(first, delimiter)
                  + "'"));
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
      List<String> f;
      try {
        f = fields(raw, delimiter);
      } catch (IllegalArgumentException e) {
        errors.add(new RowError(line, e.getMessage()));
        continue;
      }
      if (f.size() < 3 || f.size() > 4) {
        errors.add(
            new RowError(
                line, "expected 3 or 4 fields separated by '" + delimiter + "', got " + f.size()));
        continue;
      }
      String endpoint = f.get(0).trim();
      String identity = f.get(1).trim().isEmpty() ? endpoint : f.get(1).trim();
      String hex = f.get(2).trim();
      if (endpoint.isEmpty()) {
        errors.add(new RowError(line, "endpoint is empty"));
        continue;
      }
      if (!hex.matches("([0-9a-fA-F]{2}){16,64}")) {
        errors.add(
            new RowError(line, prefix + "_psk_hex must be 32 to 128 hex digits (16 to 64 bytes)"));
        continue;
      }
      if (!seen.add(endpoint)) {
        errors.add(new RowError(line, "endpoint " + endpoint + " appears twice in the file"));
        continue;
      }
      List<String> enablers = new ArrayList<>();
      if (f.size() == 4 && !f.get(3).isBlank()) {
        // NAF FQDNs hold neither separator: either one lists several
        for (String e : f.get(3).split("[;,]")) {
          if (!e.isBlank()) {
            enablers.add(e.trim());
          }
        }
      }
      rows.add(
          new Row(
              line,
              new NewDevice(endpoint, identity, HexFormat.of().parseHex(hex), factory),
              enablers));
    }
    return new Parsed(rows, errors);
  }

  /** What the first line begins with, up to its first delimiter: never a later field (a key). */
  private static String firstField(String line, char delimiter) {
    int end = line.indexOf(delimiter);
    String field = end < 0 ? line : line.substring(0, end);
    return field.length() > 40 ? field.substring(0, 40) + "…" : field;
  }

  /**
   * The fields of one line (RFC 4180: a field in double quotes may hold the delimiter, and {@code
   * ""} for a quote).
   *
   * @throws IllegalArgumentException if a quote is not closed
   */
  static List<String> fields(String line, char delimiter) {
    List<String> fields = new ArrayList<>();
    StringBuilder field = new StringBuilder();
    boolean quoted = false;
    for (int i = 0; i < line.length(); i++) {
      char c = line.charAt(i);
      if (quoted) {
        if (c == '"' && i + 1 < line.length() && line.charAt(i + 1) == '"') {
          field.append('"');
          i++;
        } else if (c == '"') {
          quoted = false;
        } else {
          field.append(c);
        }
      } else if (c == '"' && field.toString().isBlank()) {
        field.setLength(0);
        quoted = true;
      } else if (c == delimiter) {
        fields.add(field.toString());
        field.setLength(0);
      } else {
        field.append(c);
      }
    }
    if (quoted) {
      throw new IllegalArgumentException("a quoted field is not closed (a \" is missing)");
    }
    fields.add(field.toString());
    return fields;
  }
}
