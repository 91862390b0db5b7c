package org.keyprov.app;

import java.net.InetSocketAddress;
import java.util.concurrent.Callable;
import org.keyprov.enabler.Enabler;
import org.keyprov.keys.EnablerProfile;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "enabler",
    mixinStandardHelpOptions = true,
    description =
        "Runs a reference Enabler (DTLS-PSK) that asks the Key Manager for keys at handshake time.")
final class EnablerCommand implements Callable<Integer> {
  @Spec picocli.CommandLine.Model.CommandSpec spec;
  @Mixin StorageOptions storage;

  @Option(
      names = "--fqdn",
      required = true,
      description = "This Enabler's NAF FQDN, as added with 'keyprov admin add-enabler'.")
  String fqdn;

  @Option(names = "--bind", defaultValue = "0.0.0.0")
  String bind;

  @Option(
      names = "--coaps-port",
      defaultValue = "5784",
      description = "CoAPs (DTLS-PSK) port (default: ${DEFAULT-VALUE}).")
  int coapsPort;

  @Override
  public Integer call() throws Exception {
    Ports.check("--coaps-port", coapsPort);
    try (Storage store = storage.open()) {
      EnablerProfile profile =
          store
              .keyManager
              .admin()
              .enabler(fqdn)
              .orElseThrow(
                  () ->
                      new UsageException(
                          "no Enabler '"
                              + fqdn
                              + "' in "
                              + store.dataDir
                              + "; add it first: keyprov admin add-enabler --fqdn "
                              + fqdn
                              + " --uri coaps://<host>:"
                              + coapsPort));
      try (Enabler enabler =
          Enabler.builder()
              .nafId(profile.nafId())
              .lookup(store.keyManager.lookup())
              .coapsAddress(new InetSocketAddress(bind, coapsPort))
              .build()) {
        enabler.start();
        spec.commandLine()
            .getOut()
            .printf(
                "keyprov enabler: %s (NAF_Id %s) at %s%n",
                fqdn, profile.nafId(), enabler.coapsUri());
        spec.commandLine().getOut().flush();
        ServerCommand.awaitShutdown();
      }
    }
    return 0;
  }
}
