package org.keyprov.app;

import java.util.concurrent.Callable;
import org.keyprov.keys.CredentialAdmin;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** The admin commands of LwM2M bootstrap: factory credentials and DM PSK rotation. */
final class AdminBootstrap {
  private AdminBootstrap() {}

  @Command(
      name = "set-bs-psk",
      mixinStandardHelpOptions = true,
      description = {
        "Gives a device a factory bootstrap credential, replacing the one it had: how a device",
        "flashed with a DM PSK is moved to bootstrap, and how a factory credential is replaced."
      })
  static final class SetBootstrapPsk implements Callable<Integer> {
    @Spec picocli.CommandLine.Model.CommandSpec spec;
    @Mixin StorageOptions storage;

    @Option(names = "--endpoint", required = true)
    String endpoint;

    @Option(
        names = "--bs-identity",
        description = "Factory bootstrap PSK identity (default: the endpoint name).")
    String identity;

    @Option(names = "--bs-psk", required = true, description = "Factory bootstrap PSK, hex.")
    String psk;

    @Override
    public Integer call() throws Exception {
      String bsIdentity = identity == null ? endpoint : identity;
      try (Storage store = storage.open()) {
        store
            .keyManager
            .admin()
            .setBootstrapPsk(
                endpoint, bsIdentity, Hex.parse("--bs-psk", psk), CredentialAdmin.cliActor());
      }
      spec.commandLine()
          .getOut()
          .printf("device %s: factory bootstrap PSK identity %s set%n", endpoint, bsIdentity);
      return 0;
    }
  }

  @Command(
      name = "rotate-dm-psk",
      mixinStandardHelpOptions = true,
      description = {
        "Rotates a device's DM PSK through the bootstrap server: the DM server asks the device to",
        "bootstrap again (now if it is registered, else when it next registers), the bootstrap",
        "server writes a new DM PSK nobody sees, and the old one stops working once the device",
        "has registered with the new one. Needs a factory bootstrap credential."
      })
  static final class RotateDmPsk implements Callable<Integer> {
    @Spec picocli.CommandLine.Model.CommandSpec spec;
    @Mixin StorageOptions storage;

    @Option(names = "--endpoint", required = true)
    String endpoint;

    @Override
    public Integer call() throws Exception {
      try (Storage store = storage.open()) {
        store.keyManager.admin().requestDmRotation(endpoint, CredentialAdmin.cliActor());
      }
      spec.commandLine()
          .getOut()
          .printf(
              "device %s: DM PSK rotation asked for; the old one works until the device registers"
                  + " with the new one (admin audit shows each step)%n",
              endpoint);
      return 0;
    }
  }

  @Command(
      name = "rotate-bs-psk",
      mixinStandardHelpOptions = true,
      description = {
        "Rotates a device's factory bootstrap credential through the bootstrap server: a new one",
        "is minted and written to the device when it bootstraps again (asked for now, so its DM",
        "PSK is rotated too); the old one stops working once it has bootstrapped with the new one."
      })
  static final class RotateBootstrapPsk implements Callable<Integer> {
    @Spec picocli.CommandLine.Model.CommandSpec spec;
    @Mixin StorageOptions storage;

    @Option(names = "--endpoint", required = true)
    String endpoint;

    @Override
    public Integer call() throws Exception {
      try (Storage store = storage.open()) {
        store.keyManager.admin().rotateBootstrapPsk(endpoint, CredentialAdmin.cliActor());
      }
      spec.commandLine()
          .getOut()
          .printf(
              "device %s: new factory bootstrap credential minted; the device gets it at its next"
                  + " bootstrap (asked for now), the old one works until then%n",
              endpoint);
      return 0;
    }
  }
}
