package org.keyprov.web.api;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.keyprov.keys.CredentialAdmin;
import org.keyprov.keys.EnablerProfile;
import org.keyprov.keys.KeyManagerException;
import org.keyprov.keys.NewDevice;

/**
 * A device CSV imported ({@link CsvImport}'s format), as the operator UI's upload and {@code
 * keyprov admin import} both do it: every row checked first (fields, duplicates, unknown Enablers);
 * in {@code all} mode nothing is added unless every row is good, in {@code valid} mode the good
 * rows are.
 */
public final class DeviceImport {
  /** What is wrong with a line (0 for the file as a whole). */
  public record Problem(int line, String message) {}

  /** How many devices were added, and every problem by line. */
  public record Result(int imported, List<Problem> problems) {}

  private DeviceImport() {}

  public static Result run(CredentialAdmin admin, String csv, boolean all, String actor) {
    return run(admin, CsvImport.parse(csv), all, actor, done -> {});
  }

  /**
   * Imports {@code parsed}; {@code progress} hears how many of its rows have been worked through.
   * In {@code all} mode the devices and their assignments go in one transaction.
   */
  static Result run(
      CredentialAdmin admin,
      CsvImport.Parsed parsed,
      boolean all,
      String actor,
      java.util.function.IntConsumer progress) {
    List<Problem> problems = new ArrayList<>();
    parsed.errors().forEach(e -> problems.add(new Problem(e.line(), e.message())));
    Set<String> known =
        admin.enablers().stream().map(EnablerProfile::fqdn).collect(Collectors.toSet());
    List<CsvImport.Row> good = new ArrayList<>();
    for (CsvImport.Row r : parsed.rows()) {
      List<String> unknown =
          r.enablers().stream().filter(e -> !known.contains(e.toLowerCase(Locale.ROOT))).toList();
      if (!unknown.isEmpty()) {
        problems.add(new Problem(r.line(), "unknown Enabler(s): " + String.join(";", unknown)));
      } else {
        good.add(r);
      }
    }
    int imported = 0;
    if (all) {
      if (problems.isEmpty()) {
        Map<String, List<String>> enablers = new LinkedHashMap<>();
        good.forEach(r -> enablers.put(r.device().endpoint(), r.enablers()));
        try {
          admin.addDevices(
              good.stream().map(CsvImport.Row::device).toList(), enablers, actor, progress);
          imported = good.size();
        } catch (KeyManagerException e) {
          problems.add(new Problem(0, e.getMessage()));
        }
      }
    } else {
      int done = 0;
      for (CsvImport.Row r : good) {
        try {
          NewDevice d = r.device();
          if (d.factoryBootstrap()) {
            admin.addBootstrapDevice(d.endpoint(), d.dmPskIdentity(), d.dmPsk(), actor);
          } else {
            admin.addDevice(d.endpoint(), d.dmPskIdentity(), d.dmPsk(), actor);
          }
          imported++;
          for (String e : r.enablers()) {
            admin.assign(d.endpoint(), e, actor);
          }
        } catch (KeyManagerException e) {
          problems.add(new Problem(r.line(), e.getMessage()));
        }
        progress.accept(++done);
      }
    }
    problems.sort(Comparator.comparingInt(Problem::line));
    return new Result(imported, List.copyOf(problems));
  }
}
