package org.keyprov.app;

import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.keyprov.client.ConnectionResult;
import org.keyprov.client.DeviceClient;
import org.keyprov.client.EnablerSessions;
import org.keyprov.client.object.EnablerSecurityState;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "device",
    mixinStandardHelpOptions = true,
    description =
        "Runs a simulated device: registers with the DM server, receives Enabler parameters and connects to each Enabler.")
final class DeviceCommand implements Callable<Integer> {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Option(names = "--endpoint", required = true, description = "LwM2M endpoint name.")
  String endpoint;

  @Option(names = "--server", description = "DM server, coaps://host:port. Optional with --sim.")
  URI server;

  @Option(
      names = "--bootstrap",
      paramLabel = "URI",
      description =
          "Bootstrap server, coaps://host:port: the device arrives with its factory bootstrap"
              + " credential (--bs-psk) only and is given its DM server and DM PSK there; kept in"
              + " the state file across restarts. Instead of --server.")
  URI bootstrap;

  @Option(
      names = "--bs-identity",
      description = "Factory bootstrap PSK identity (default: the endpoint name).")
  String bsIdentity;

  @Option(names = "--bs-psk", description = "Factory bootstrap PSK, hex (needed with --bootstrap).")
  String bsPsk;

  @Option(
      names = "--sim",
      description =
          "Read Enabler parameters from a SIM first: jcardsim:<profile file> (simulated card) or pcsc:<reader name>.")
  String sim;

  @Option(names = "--sim-pin", description = "The SIM's PIN (needed with --sim).")
  String simPin;

  @Option(names = "--dm-identity", description = "DM PSK identity (default: the endpoint name).")
  String identity;

  @Option(names = "--dm-psk", description = "DM PSK, hex (needed with --server).")
  String psk;

  @Option(
      names = "--state-file",
      description = "Where received parameters are kept (default: <endpoint>.state).")
  Path stateFile;

  @Option(
      names = "--once",
      description = "Exit after connecting to every provisioned Enabler (exit 0 if all succeeded).")
  boolean once;

  @Option(
      names = "--timeout",
      defaultValue = "PT60S",
      description = "With --once: how long to wait for provisioning (default: ${DEFAULT-VALUE}).")
  Duration timeout;

  @Option(
      names = "--interval",
      description =
          "Without --once: connect to each Enabler again this long after a successful connection (default: only when its parameters change).")
  Duration interval;

  private final java.util.Set<String> announced = ConcurrentHashMap.newKeySet();

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    Map<String, ConnectionResult> results = new ConcurrentHashMap<>();
    Map<String, Integer> connectedVersion = new ConcurrentHashMap<>();
    CountDownLatch done = new CountDownLatch(1);
    ExecutorService connector = Executors.newSingleThreadExecutor();
    if (server == null && bootstrap == null && sim == null) {
      throw new UsageException(
          "give --server coaps://host:port (with --dm-psk), --bootstrap coaps://host:port (with"
              + " --bs-psk), --sim, or a server and --sim");
    }
    if (server != null && bootstrap != null) {
      throw new UsageException(
          "give --server or --bootstrap, not both: the bootstrap server names the DM server");
    }
    if (bootstrap != null && bsPsk == null) {
      throw new UsageException("--bootstrap needs --bs-psk (the factory bootstrap PSK, hex)");
    }
    if (interval != null && (interval.isNegative() || interval.isZero())) {
      throw new UsageException("--interval must be positive, e.g. PT10S");
    }
    if (server != null && psk == null) {
      throw new UsageException("--server needs --dm-psk");
    }
    DeviceClient.Builder builder =
        DeviceClient.builder()
            .endpoint(endpoint)
            .stateFile(stateFile == null ? Path.of(endpoint + ".state") : stateFile);
    if (server != null) {
      builder
          .dmServer(server)
          .dmPsk(identity == null ? endpoint : identity, Hex.parse("--dm-psk", psk));
    }
    if (bootstrap != null) {
      builder.bootstrap(
          bootstrap, bsIdentity == null ? endpoint : bsIdentity, Hex.parse("--bs-psk", bsPsk));
    }
    if (sim != null) {
      if (simPin == null) {
        throw new UsageException("--sim needs --sim-pin");
      }
      builder.sim(SimTerminals.open(sim), simPin);
    }
    try (DeviceClient device = builder.build()) {
      device.onRegistration(
          ok -> {
            out.println(
                ok
                    ? "registered with " + (server != null ? server : "the DM server")
                    : "registration with "
                        + (server != null ? server : "the DM server")
                        + " failed (check the DM PSK)");
            out.flush();
          });
      if (!once) {
        return runUntilStopped(device, out);
      }
      device.onParametersChanged(
          state -> {
            if (state.hasKey()
                && !state.nafFqdn().isEmpty()
                && !Integer.valueOf(state.keyVersion())
                    .equals(connectedVersion.get(state.nafFqdn()))) {
              connectedVersion.put(state.nafFqdn(), state.keyVersion());
              connector.execute(
                  () -> {
                    out.printf(
                        "received parameters for %s (PSK identity %s, version %d)%n",
                        state.nafFqdn(), state.pskIdentity(), state.keyVersion());
                    ConnectionResult r = device.connector().connect(state.nafFqdn());
                    results.put(state.nafFqdn(), r);
                    out.printf(
                        "%s %s: %s%n",
                        r.success() ? "connected to" : "could not connect to",
                        state.nafFqdn(),
                        r.detail());
                    out.flush();
                    if (once && results.size() == device.enablerParameters().size()) {
                      done.countDown();
                    }
                  });
            }
          });
      for (EnablerSecurityState s : device.enablerParameters()) {
        out.printf(
            "holding parameters for %s from %s%n",
            s.nafFqdn(), s.source() == 1 ? "SIM" : "DM server");
      }
      device.start();
      if (server == null && bootstrap == null) {
        for (EnablerSecurityState s : device.enablerParameters()) {
          if (s.hasKey() && connectedVersion.putIfAbsent(s.nafFqdn(), s.keyVersion()) == null) {
            ConnectionResult r = device.connector().connect(s.nafFqdn());
            results.put(s.nafFqdn(), r);
            out.printf(
                "%s %s: %s%n",
                r.success() ? "connected to" : "could not connect to", s.nafFqdn(), r.detail());
          }
        }
        out.flush();
        return !results.isEmpty() && results.values().stream().allMatch(ConnectionResult::success)
            ? 0
            : 1;
      }
      if (!done.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        out.println("timed out waiting for Enabler parameters");
        return 1;
      }
      return results.values().stream().allMatch(ConnectionResult::success) ? 0 : 1;
    } finally {
      connector.shutdownNow();
    }
  }

  /**
   * Stays connected until stopped: each received or renewed key is used at once, a failed
   * connection is retried with backoff, and the Enabler is contacted again every {@code
   * --interval}.
   */
  private int runUntilStopped(DeviceClient device, PrintWriter out) throws InterruptedException {
    for (EnablerSecurityState s : device.enablerParameters()) {
      out.printf(
          "holding parameters for %s from %s (version %d)%n",
          s.nafFqdn(), s.source() == 1 ? "SIM" : "DM server", s.keyVersion());
    }
    out.flush();
    try (EnablerSessions sessions =
        EnablerSessions.builder(device)
            .interval(interval)
            .listener(
                (fqdn, version, r) -> {
                  out.printf(
                      "%s %s with key version %d: %s%n",
                      r.success() ? "connected to" : "could not connect to",
                      fqdn,
                      version,
                      r.detail());
                  out.flush();
                })
            .build()) {
      device.onParametersChanged(
          state -> {
            if (state.hasKey()
                && !state.nafFqdn().isEmpty()
                && announced.add(state.pskIdentity())) {
              out.printf(
                  "received parameters for %s (PSK identity %s, version %d, expires %s)%n",
                  state.nafFqdn(), state.pskIdentity(), state.keyVersion(), state.keyExpiry());
              out.flush();
            }
          });
      device.start();
      sessions.start();
      ServerCommand.awaitShutdown();
    }
    return 0;
  }
}
