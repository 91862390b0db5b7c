package org.keyprov.app;

import java.util.concurrent.Callable;
import org.keyprov.keys.gba.BTid;
import org.keyprov.keys.gba.GbaKdf;
import org.keyprov.keys.gba.NafId;
import org.keyprov.keys.gba.UaSecurityProtocolId;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "gba",
    mixinStandardHelpOptions = true,
    description = "GBA key naming and derivation (3GPP TS 33.220 Annex B), for interop checks.",
    subcommands = {GbaCommand.Derive.class, GbaCommand.Btid.class})
final class GbaCommand implements Runnable {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  @Command(
      name = "derive",
      mixinStandardHelpOptions = true,
      description = "Prints Ks_NAF = KDF(Ks, \"gba-me\", RAND, IMPI, NAF_Id) as lower-case hex.")
  static final class Derive implements Callable<Integer> {
    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--ks", required = true, description = "Root key Ks (CK || IK), hex.")
    String ks;

    @Option(names = "--rand", required = true, description = "RAND, 16 bytes hex.")
    String rand;

    @Option(names = "--impi", required = true, description = "IMPI (private user identity).")
    String impi;

    @Option(names = "--naf-fqdn", required = true, description = "NAF (Enabler) FQDN.")
    String nafFqdn;

    @Option(names = "--ua", required = true, description = "Ua security protocol id, 5 bytes hex.")
    String ua;

    @Option(
        names = "--variant",
        defaultValue = "gba-me",
        description =
            "gba-me (Ks_NAF, Ks_ext_NAF) or gba-u (Ks_int_NAF). Default: ${DEFAULT-VALUE}.")
    String variant;

    @Override
    public Integer call() {
      byte[] randBytes = Hex.parse("--rand", rand);
      if (randBytes.length != BTid.RAND_LENGTH) {
        throw new UsageException(
            "--rand must be 16 bytes (32 hex digits), got " + randBytes.length);
      }
      UaSecurityProtocolId uaId;
      try {
        uaId = UaSecurityProtocolId.parse(ua);
      } catch (IllegalArgumentException e) {
        throw new UsageException("--ua: " + e.getMessage());
      }
      byte[] key =
          GbaKdf.deriveNafKey(
              Hex.parse("--ks", ks),
              randBytes,
              impi,
              new NafId(nafFqdn, uaId),
              GbaKdf.Variant.parse(variant));
      spec.commandLine().getOut().println(Hex.format(key));
      return 0;
    }
  }

  @Command(
      name = "btid",
      mixinStandardHelpOptions = true,
      description = "Prints the B-TID base64(RAND)@domain.")
  static final class Btid implements Callable<Integer> {
    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--rand", required = true, description = "RAND, 16 bytes hex.")
    String rand;

    @Option(names = "--domain", required = true, description = "Key Manager (BSF) domain.")
    String domain;

    @Override
    public Integer call() {
      byte[] randBytes = Hex.parse("--rand", rand);
      if (randBytes.length != BTid.RAND_LENGTH) {
        throw new UsageException(
            "--rand must be 16 bytes (32 hex digits), got " + randBytes.length);
      }
      spec.commandLine().getOut().println(BTid.of(randBytes, domain).value());
      return 0;
    }
  }
}
