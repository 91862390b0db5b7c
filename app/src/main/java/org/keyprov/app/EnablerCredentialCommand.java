package org.keyprov.app;

import java.util.concurrent.Callable;
import org.keyprov.keys.CredentialAdmin;
import org.keyprov.keys.EnablerCredentials;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "enabler-credential",
    mixinStandardHelpOptions = true,
    description = "Credentials Enablers present to the Key Manager's lookup API.",
    subcommands = {
      EnablerCredentialCommand.Create.class,
      EnablerCredentialCommand.ListCredentials.class,
      EnablerCredentialCommand.Revoke.class
    })
final class EnablerCredentialCommand implements Runnable {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  @Command(
      name = "create",
      mixinStandardHelpOptions = true,
      description = "Issues a credential for an Enabler; prints it once.")
  static final class Create implements Callable<Integer> {
    @Spec picocli.CommandLine.Model.CommandSpec spec;
    @Mixin StorageOptions storage;

    @Option(names = "--naf-fqdn", required = true, description = "The Enabler's NAF FQDN.")
    String fqdn;

    @Override
    public Integer call() throws Exception {
      try (Storage store = storage.open()) {
        EnablerCredentials.Issued issued =
            store.keyManager.enablerCredentials().issue(fqdn, CredentialAdmin.cliActor());
        spec.commandLine()
            .getOut()
            .printf(
                "credential %s for %s (shown once, give it to the Enabler):%n%s%n",
                issued.label(), issued.nafFqdn(), issued.secret());
      }
      return 0;
    }
  }

  @Command(
      name = "list",
      mixinStandardHelpOptions = true,
      description = "Lists credentials (never their secrets).")
  static final class ListCredentials implements Callable<Integer> {
    @Spec picocli.CommandLine.Model.CommandSpec spec;
    @Mixin StorageOptions storage;

    @Override
    public Integer call() throws Exception {
      try (Storage store = storage.open()) {
        for (EnablerCredentials.Info i : store.keyManager.enablerCredentials().list()) {
          spec.commandLine()
              .getOut()
              .printf(
                  "%s %-30s created %s%s%n",
                  i.label(),
                  i.nafFqdn(),
                  i.createdAt(),
                  i.revokedAt().map(t -> ", revoked " + t).orElse(""));
        }
      }
      return 0;
    }
  }

  @Command(
      name = "revoke",
      mixinStandardHelpOptions = true,
      description = "Revokes a credential by label.")
  static final class Revoke implements Callable<Integer> {
    @Spec picocli.CommandLine.Model.CommandSpec spec;
    @Mixin StorageOptions storage;

    @Option(names = "--label", required = true)
    String label;

    @Override
    public Integer call() throws Exception {
      try (Storage store = storage.open()) {
        store.keyManager.enablerCredentials().revoke(label, CredentialAdmin.cliActor());
        spec.commandLine().getOut().printf("credential %s revoked%n", label);
      }
      return 0;
    }
  }
}
