package org.keyprov.bench;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.keyprov.client.ClientHost;
import org.keyprov.client.DeviceClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Provisioning throughput: N devices registering at once, from first registration to "holds its
 * Enabler parameters", against keyprov's DM server and against bare Leshan (in-memory stores, one
 * Create of the same payload on registration). Clients run in this process, the server in a child.
 * Also reports the server's heap per registered and provisioned device.
 */
@Command(
    name = "provisioning",
    mixinStandardHelpOptions = true,
    description =
        "Devices/s from registration to provisioned, keyprov vs bare Leshan; server heap per device.")
final class ProvisioningBench extends BenchCommand implements Callable<Integer> {
  @Option(names = "--devices", defaultValue = "1000")
  int devices;

  @Option(names = "--runs", defaultValue = "3")
  int runs;

  @Option(names = "--modes", defaultValue = "bare,keyprov", split = ",")
  List<String> modes;

  @Option(
      names = "--client-processes",
      defaultValue = "1",
      description = "Spread the clients over this many JVMs (one JVM holds ~9,000 Leshan clients).")
  int clientProcesses;

  @Option(names = "--timeout", defaultValue = "PT300S")
  Duration timeout;

  @Option(
      names = "--shared-threads",
      description =
          "Run the clients on one ClientHost (a fixed set of threads) instead of threads of their"
              + " own; needed beyond ~9,000 clients per machine.")
  boolean sharedThreads;

  @Option(
      names = "--registration-threads",
      defaultValue = "64",
      description = "With --shared-threads: how many clients may be registering at once.")
  int registrationThreads;

  @Option(
      names = "--histogram",
      description =
          "Print the server's top heap classes (jcmd GC.class_histogram) once provisioned.")
  boolean histogram;

  @Option(
      names = "--settle",
      defaultValue = "PT0S",
      description =
          "Wait this long after the last device is provisioned before reading the server's heap,"
              + " e.g. PT260S to let CoAP's exchange lifetime (247 s) drop the deduplication state.")
  Duration settle;

  @Option(
      names = "--warmup-devices",
      defaultValue = "0",
      description =
          "Before the measured fleet, this many other devices register and are provisioned on the"
              + " same server, so it is measured warm (JIT done); with one client process only.")
  int warmupDevices;

  static byte[] psk(String endpoint) {
    try {
      return Arrays.copyOf(
          MessageDigest.getInstance("SHA-256")
              .digest(("bench-psk:" + endpoint).getBytes(StandardCharsets.UTF_8)),
          16);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  static String endpoint(int i) {
    return String.format("prov-%06d", i);
  }

  @Override
  public Integer call() throws Exception {
    if (warmupDevices > 0 && clientProcesses > 1) {
      throw new picocli.CommandLine.ParameterException(
          spec.commandLine(), "--warmup-devices needs --client-processes 1");
    }
    out().println(Bench.machine());
    Map<String, List<Double>> rates = new LinkedHashMap<>();
    Map<String, List<Double>> heaps = new LinkedHashMap<>();
    Map<String, List<Double>> serverCpus = new LinkedHashMap<>();
    Map<String, List<Double>> serverWork = new LinkedHashMap<>(); // without the JIT's and GC's
    for (int run = 1; run <= runs; run++) {
      // every other run in the reverse order, so neither mode always meets the clients' JVM colder
      List<String> order = new ArrayList<>(modes);
      if (run % 2 == 0) {
        java.util.Collections.reverse(order);
      }
      for (String mode : order) {
        Path dir = Files.createTempDirectory("keyprov-prov-bench");
        Process server =
            Bench.child(
                "provisioning-server",
                "--mode",
                mode,
                "--devices",
                String.valueOf(devices + warmupDevices),
                "--store",
                dir.toString());
        BufferedReader sin =
            new BufferedReader(
                new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8));
        String[] ready = Bench.await(sin, "READY").split(" ");
        URI uri = URI.create(ready[1]);
        long heapBefore = Long.parseLong(ready[2]);
        long serverCpuBefore = Long.parseLong(ready[3]);
        long jitAndGcBefore = Long.parseLong(ready[4]);
        long clientCpuBefore = Bench.processCpuNanos();
        double seconds;
        long done;
        boolean all;
        List<DeviceClient> clients = new ArrayList<>();
        List<Process> clientJvms = new ArrayList<>();
        ClientHost host = sharedThreads ? host(registrationThreads) : null;
        if (warmupDevices > 0) {
          CountDownLatch warm = new CountDownLatch(warmupDevices);
          for (int i = devices; i < devices + warmupDevices; i++) {
            clients.add(client(i, uri, dir, warm, host));
          }
          clients.forEach(DeviceClient::start);
          if (!warm.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new IllegalStateException(
                warm.getCount() + " warm-up devices were not provisioned within " + timeout);
          }
          // the measured window starts here: heap and server CPU as they are now
          server.getOutputStream().write("heap\n".getBytes(StandardCharsets.US_ASCII));
          server.getOutputStream().flush();
          String[] warmLine = Bench.await(sin, "HEAP").split(" ");
          heapBefore = Long.parseLong(warmLine[1]);
          serverCpuBefore = Long.parseLong(warmLine[3]);
          jitAndGcBefore = Long.parseLong(warmLine[5]);
        }
        if (clientProcesses <= 1) {
          CountDownLatch provisioned = new CountDownLatch(devices);
          List<DeviceClient> measured = new ArrayList<>();
          for (int i = 0; i < devices; i++) {
            measured.add(client(i, uri, dir, provisioned, host));
          }
          clients.addAll(measured);
          clientCpuBefore = Bench.processCpuNanos(); // the clients' work, not their construction
          long start = System.nanoTime();
          measured.forEach(DeviceClient::start);
          all = provisioned.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
          seconds = (System.nanoTime() - start) / 1e9;
          done = devices - provisioned.getCount();
        } else {
          List<BufferedReader> outs = new ArrayList<>();
          int per = (devices + clientProcesses - 1) / clientProcesses;
          for (int k = 0; k < clientProcesses; k++) {
            Process p =
                Bench.child(
                    "provisioning-clients",
                    "--server",
                    uri.toString(),
                    "--from",
                    String.valueOf(k * per),
                    "--to",
                    String.valueOf(Math.min(devices, (k + 1) * per)),
                    "--state",
                    dir.toString(),
                    "--timeout",
                    timeout.toString(),
                    "--registration-threads",
                    String.valueOf(registrationThreads),
                    sharedThreads ? "--shared-threads" : "--no-shared-threads");
            clientJvms.add(p);
            outs.add(
                new BufferedReader(
                    new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8)));
          }
          for (BufferedReader o : outs) {
            Bench.await(o, "READY");
          }
          long start = System.nanoTime();
          for (Process p : clientJvms) {
            p.getOutputStream().write("go\n".getBytes(StandardCharsets.US_ASCII));
            p.getOutputStream().flush();
          }
          done = 0;
          for (BufferedReader o : outs) {
            done += Long.parseLong(Bench.await(o, "DONE").split(" ")[1]);
          }
          seconds = (System.nanoTime() - start) / 1e9;
          all = done == devices;
        }
        Thread.sleep(settle.toMillis());
        server.getOutputStream().write("heap\n".getBytes(StandardCharsets.US_ASCII));
        server.getOutputStream().flush();
        long clientCpu = Bench.processCpuNanos() - clientCpuBefore;
        String[] heapLine = Bench.await(sin, "HEAP").split(" ");
        long heapAfter = Long.parseLong(heapLine[1]);
        long serverCpu = Long.parseLong(heapLine[2]) - serverCpuBefore;
        long serverJitAndGc = Long.parseLong(heapLine[4]) - jitAndGcBefore;
        if (histogram) {
          printHistogram(server.pid(), mode);
        }
        clients.parallelStream().forEach(c -> c.close());
        if (host != null) {
          host.close();
        }
        for (Process p : clientJvms) {
          p.getOutputStream().close();
          p.waitFor(60, TimeUnit.SECONDS);
          p.destroy();
        }
        server.getOutputStream().close();
        server.waitFor(30, TimeUnit.SECONDS);
        server.destroy();
        double rate = done / seconds;
        double perDevice = (heapAfter - heapBefore) / (double) devices;
        rates.computeIfAbsent(mode, m -> new ArrayList<>()).add(rate);
        heaps.computeIfAbsent(mode, m -> new ArrayList<>()).add(perDevice / 1024);
        double serverMs = serverCpu / 1e6 / devices;
        serverCpus.computeIfAbsent(mode, m -> new ArrayList<>()).add(serverMs);
        double jitAndGcMs = serverJitAndGc / 1e6 / devices;
        serverWork.computeIfAbsent(mode, m -> new ArrayList<>()).add(serverMs - jitAndGcMs);
        out()
            .printf(
                "run %d %-8s %d/%d provisioned in %.2f s = %.1f devices/s%s; server heap +%.1f"
                    + " KiB/device; CPU per device: server %.2f ms (%.2f of it JIT and GC),"
                    + " clients %s%n",
                run,
                mode,
                done,
                devices,
                seconds,
                rate,
                all ? "" : " (TIMED OUT)",
                perDevice / 1024,
                serverMs,
                jitAndGcMs,
                clientProcesses > 1
                    ? "(in their own JVMs)"
                    : String.format("%.2f ms", clientCpu / 1e6 / devices));
      }
    }
    out().printf("%nsummary (min / median / max over %d runs):%n", runs);
    for (var e : rates.entrySet()) {
      out()
          .printf(
              "  %-8s %s devices/s; heap %s KiB/device; server CPU %s ms/device, %s without"
                  + " the JIT's and GC's%n",
              e.getKey(),
              Bench.summary(e.getValue()),
              Bench.summary(heaps.get(e.getKey())),
              Bench.summary(serverCpus.get(e.getKey())),
              Bench.summary(serverWork.get(e.getKey())));
    }
    if (rates.containsKey("bare") && rates.containsKey("keyprov")) {
      List<Double> ratios = new ArrayList<>();
      for (int i = 0; i < runs; i++) {
        ratios.add(rates.get("keyprov").get(i) / rates.get("bare").get(i));
      }
      out().printf("  keyprov / bare ratio: %s%n", Bench.summary(ratios));
    }
    return 0;
  }

  private void printHistogram(long pid, String mode) throws Exception {
    Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
    Process p =
        new ProcessBuilder(jcmd.toString(), String.valueOf(pid), "GC.class_histogram")
            .redirectErrorStream(true)
            .start();
    try (BufferedReader r =
        new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      out().printf("server heap histogram (%s), top classes:%n", mode);
      r.lines().skip(1).limit(22).forEach(l -> out().println("  " + l));
    }
    p.waitFor(60, TimeUnit.SECONDS);
  }

  static ClientHost host(int registrationThreads) {
    return ClientHost.builder().ioThreads(2).registrationThreads(registrationThreads).build();
  }

  static DeviceClient client(
      int i, URI uri, Path dir, CountDownLatch provisioned, ClientHost host) {
    String ep = endpoint(i);
    DeviceClient c =
        DeviceClient.builder()
            .host(host)
            .endpoint(ep)
            .dmServer(uri)
            .dmPsk(ep, psk(ep))
            .stateFile(dir.resolve("devices").resolve(ep + ".state"))
            .lifetime(Duration.ofMinutes(30))
            .build();
    boolean[] counted = {false};
    c.onParametersChanged(
        s -> {
          synchronized (counted) {
            if (!counted[0] && s.hasKey()) {
              counted[0] = true;
              provisioned.countDown();
            }
          }
        });
    return c;
  }

  @Command(name = "provisioning-clients", hidden = true)
  static final class Clients extends BenchCommand implements Callable<Integer> {
    @Option(names = "--server", required = true)
    URI server;

    @Option(names = "--from", required = true)
    int from;

    @Option(names = "--to", required = true)
    int to;

    @Option(names = "--state", required = true)
    Path state;

    @Option(names = "--timeout", defaultValue = "PT300S")
    Duration timeout;

    @Option(names = "--shared-threads", negatable = true)
    boolean sharedThreads;

    @Option(names = "--registration-threads", defaultValue = "64")
    int registrationThreads;

    @Override
    public Integer call() throws Exception {
      CountDownLatch provisioned = new CountDownLatch(to - from);
      List<DeviceClient> clients = new ArrayList<>();
      ClientHost host = sharedThreads ? host(registrationThreads) : null;
      for (int i = from; i < to; i++) {
        clients.add(client(i, server, state, provisioned, host));
      }
      out().println("READY");
      out().flush();
      BufferedReader in =
          new BufferedReader(new InputStreamReader(System.in, StandardCharsets.US_ASCII));
      in.readLine();
      clients.forEach(DeviceClient::start);
      provisioned.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
      out().println("DONE " + ((to - from) - provisioned.getCount()));
      out().flush();
      while (in.readLine() != null) {
        // hold the registrations until the orchestrator has read the server's heap
      }
      clients.parallelStream().forEach(DeviceClient::close);
      if (host != null) {
        host.close();
      }
      return 0;
    }
  }
}
