package org.keyprov.app;

import java.net.InetSocketAddress;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.keyprov.server.DmServer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "server",
    mixinStandardHelpOptions = true,
    description = "Runs the Key Manager and its LwM2M DM server until stopped (Ctrl-C).")
final class ServerCommand implements Callable<Integer> {
  @Spec picocli.CommandLine.Model.CommandSpec spec;
  @Mixin StorageOptions storage;

  @Option(names = "--bind", defaultValue = "0.0.0.0", description = "Address to listen on.")
  String bind;

  @Option(
      names = "--coaps-port",
      defaultValue = "5684",
      description = "CoAPs (DTLS-PSK) port devices register at (default: ${DEFAULT-VALUE}).")
  int coapsPort;

  @Option(
      names = "--coap-port",
      description = "Also accept plain CoAP, without security, on this port. Off by default.")
  Integer coapPort;

  @Override
  public Integer call() throws Exception {
    Ports.check("--coaps-port", coapsPort);
    try (Storage store = storage.open()) {
      DmServer.Builder builder =
          DmServer.builder()
              .credentials(store.keyManager.dmCredentials())
              .admin(store.keyManager.admin())
              .ledger(store.keyManager.ledger())
              .coapsAddress(new InetSocketAddress(bind, coapsPort));
      if (coapPort != null) {
        Ports.check("--coap-port", coapPort);
        builder.coapAddress(new InetSocketAddress(bind, coapPort));
      }
      try (DmServer dm = builder.build()) {
        dm.start();
        spec.commandLine()
            .getOut()
            .printf(
                "keyprov server: DM server at %s, data in %s%n",
                dm.coapsUri(), store.dataDir.toAbsolutePath());
        spec.commandLine().getOut().flush();
        awaitShutdown();
      }
    }
    return 0;
  }

  static void awaitShutdown() throws InterruptedException {
    CountDownLatch stop = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(stop::countDown));
    stop.await();
  }
}
