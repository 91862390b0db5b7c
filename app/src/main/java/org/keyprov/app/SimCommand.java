package org.keyprov.app;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.keyprov.keys.Assignment;
import org.keyprov.keys.CredentialAdmin;
import org.keyprov.keys.SimPersonalisation;
import org.keyprov.uicc.SimProfile;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "sim",
    mixinStandardHelpOptions = true,
    description = "The SIM/USIM alternative flow.",
    subcommands = {SimCommand.Personalize.class})
final class SimCommand implements Runnable {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  @Command(
      name = "personalize",
      mixinStandardHelpOptions = true,
      description = {
        "Mints the device's SIM bootstrapping (one RAND and B-TID, a key record per Enabler) and writes the personalisation profile a SIM vendor loads.",
        "The profile is the only export that carries the root key Ks: it is written owner-only (0600) and the export is audited."
      })
  static final class Personalize implements Callable<Integer> {
    @Spec picocli.CommandLine.Model.CommandSpec spec;
    @Mixin StorageOptions storage;

    @Option(names = "--endpoint", required = true)
    String endpoint;

    @Option(
        names = "--enabler",
        description =
            "NAF FQDN to put on the card; repeat. Default: every Enabler assigned to the device.")
    List<String> enablers = new ArrayList<>();

    @Option(
        names = "--pin",
        description = "The card's PIN, 4–8 digits. Default: a random 4-digit PIN, printed once.")
    String pin;

    @Option(
        names = "--out",
        description = "Profile file (default: <endpoint>.sim-profile). Must not exist.")
    Path out;

    @Override
    public Integer call() throws Exception {
      Path file = out == null ? Path.of(endpoint + ".sim-profile") : out;
      if (Files.exists(file)) {
        throw new UsageException(
            file
                + " exists; a profile carries Ks, so keyprov never overwrites one (delete it or choose --out)");
      }
      String cardPin =
          pin == null ? String.format("%04d", new SecureRandom().nextInt(10_000)) : pin;
      try (Storage store = storage.open()) {
        List<String> fqdns = new ArrayList<>(enablers);
        if (fqdns.isEmpty()) {
          store.keyManager.ledger().assignments(endpoint).stream()
              .map(Assignment::nafFqdn)
              .forEach(fqdns::add);
        }
        if (fqdns.isEmpty()) {
          throw new UsageException(
              "device " + endpoint + " has no Enabler assigned; give --enabler FQDN");
        }
        SimPersonalisation sim =
            store.keyManager.admin().personaliseSim(endpoint, fqdns, CredentialAdmin.cliActor());
        SimProfile profile;
        try {
          profile = SimProfile.of(sim, cardPin);
        } catch (IllegalArgumentException e) {
          throw new UsageException("--pin: " + e.getMessage().replaceFirst("^pin: ", ""));
        }
        Files.createFile(
            file,
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(file, profile.format());
        spec.commandLine()
            .getOut()
            .printf(
                "SIM profile for %s written to %s (B-TID %s, %d Enabler(s)).%nIt CARRIES THE ROOT KEY Ks: hand it to the SIM vendor, then destroy it.%n%s",
                endpoint,
                file,
                sim.btid(),
                fqdns.size(),
                pin == null ? "Card PIN (shown once): " + cardPin + "%n".formatted() : "");
        // what the DM server now does for each Enabler, and until when an earlier DM key works
        for (Assignment a : store.keyManager.ledger().assignments(endpoint)) {
          if (fqdns.stream().anyMatch(f -> f.equalsIgnoreCase(a.nafFqdn()))) {
            spec.commandLine().getOut().printf("  %s: %s%n", a.nafFqdn(), a.detail());
          }
        }
      }
      return 0;
    }
  }
}
