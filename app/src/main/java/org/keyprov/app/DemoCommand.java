package org.keyprov.app;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    description =
        "Runs Key Manager, DM server and Enabler in one process on embedded H2, and N simulated devices through the whole flow.")
final class DemoCommand implements Callable<Integer> {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Option(
      names = "--devices",
      defaultValue = "10",
      description = "Number of simulated devices (default: ${DEFAULT-VALUE}).")
  int devices;

  @Option(
      names = "--parallel",
      defaultValue = "16",
      description = "Devices running at once (default: ${DEFAULT-VALUE}).")
  int parallel;

  @Option(
      names = "--data-dir",
      defaultValue = "keyprov-demo-data",
      description =
          "Data directory (default: ${DEFAULT-VALUE}); a second run reuses its devices and keys.")
  Path dataDir;

  @Option(
      names = "--timeout",
      defaultValue = "PT120S",
      description = "Per-device time limit, e.g. 2m or PT120S (default: ${DEFAULT-VALUE}).")
  Duration timeout;

  @Option(
      names = "--bootstrap",
      description =
          "Devices start with a factory bootstrap credential only: the bootstrap server gives each"
              + " its DM server and a DM PSK nobody typed, then the flow goes on as usual.")
  boolean bootstrap;

  @Override
  public Integer call() throws Exception {
    if (devices < 1 || devices > 10_000) {
      throw new UsageException("--devices must be between 1 and 10000, got " + devices);
    }
    if (parallel < 1) {
      throw new UsageException("--parallel must be at least 1, got " + parallel);
    }
    PrintWriter out = spec.commandLine().getOut();
    List<Demo.Outcome> outcomes;
    try (Storage store = Storage.open(dataDir, "km.demo.keyprov.local")) {
      outcomes = new Demo(store, devices, parallel, timeout, out, bootstrap).run();
    }
    long ok = outcomes.stream().filter(Demo.Outcome::succeeded).count();
    out.printf(
        "%n%-12s %-10s %-11s %-9s %-9s %s%n",
        "DEVICE", "REGISTERED", "PROVISIONED", "HANDSHAKE", "REPORTED", "REASON");
    for (Demo.Outcome o : outcomes) {
      if (!o.succeeded() || outcomes.size() <= 20) {
        out.printf(
            "%-12s %-10s %-11s %-9s %-9s %s%n",
            o.endpoint(),
            yes(o.registered()),
            yes(o.provisioned()),
            yes(o.handshake()),
            yes(o.reported()),
            o.reason());
      }
    }
    out.printf(
        "%nregistered %d/%d · provisioned %d/%d · Enabler handshake OK %d/%d · failed %d%n",
        outcomes.stream().filter(Demo.Outcome::registered).count(),
        devices,
        outcomes.stream().filter(Demo.Outcome::provisioned).count(),
        devices,
        outcomes.stream().filter(Demo.Outcome::handshake).count(),
        devices,
        devices - ok);
    out.println(
        ok == devices
            ? "demo succeeded: " + ok + "/" + devices
            : "demo FAILED: " + ok + "/" + devices + " succeeded");
    return ok == devices ? 0 : 1;
  }

  private static String yes(boolean b) {
    return b ? "yes" : "no";
  }
}
