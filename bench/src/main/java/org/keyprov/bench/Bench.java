package org.keyprov.bench;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.keyprov.enabler.Enabler;
import org.keyprov.enabler.lookup.StaticPskTable;
import org.keyprov.keys.EnablerProfile;
import org.keyprov.keys.PskLookup;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * keyprov's benchmarks. Not tests: each reports a figure next to a baseline measured in the same
 * run. See BENCHMARKS.md for the commands and results.
 */
@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    subcommands = {
      Bench.Handshakes.class,
      Bench.HandshakeServer.class,
      Bench.HandshakeLoadCommand.class,
      ProvisioningBench.class,
      ProvisioningServer.class,
      ProvisioningBench.Clients.class,
      Soak.class,
      Failover.class,
      Scale.class
    })
public final class Bench extends BenchCommand implements Runnable {
  static final String FQDN = "enabler.bench";
  static final InetSocketAddress LOOPBACK =
      new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);

  public static void main(String[] args) {
    System.exit(new CommandLine(new Bench()).execute(args));
  }

  @Override
  public void run() {
    spec.commandLine().usage(out());
  }

  static EnablerProfile enabler() {
    return EnablerProfile.dtls(FQDN, URI.create("coaps://127.0.0.1:5784"), Duration.ofDays(30));
  }

  static String machine() {
    return Runtime.getRuntime().availableProcessors()
        + " cores, Java "
        + System.getProperty("java.version")
        + " ("
        + System.getProperty("java.vm.name")
        + "), "
        + LocalDate.now();
  }

  static String summary(List<Double> values) {
    List<Double> sorted = new ArrayList<>(values);
    sorted.sort(Double::compare);
    return String.format(
        "%.2f / %.2f / %.2f", sorted.get(0), median(sorted), sorted.get(sorted.size() - 1));
  }

  /** The median of sorted values: with an even count, the mean of the two middle ones. */
  static double median(List<Double> sorted) {
    int n = sorted.size();
    return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
  }

  /** Starts a child JVM running one of these subcommands with the same class path. */
  static Process child(String... args) throws java.io.IOException {
    return pinnedChild(null, args);
  }

  /** A child JVM, pinned with {@code taskset -c cpus} unless {@code cpus} is null. */
  static Process pinnedChild(String cpus, String... args) throws java.io.IOException {
    List<String> cmd = new ArrayList<>();
    if (cpus != null) {
      cmd.addAll(List.of("taskset", "-c", cpus));
    }
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-Xmx3g");
    String extra = System.getenv("KEYPROV_BENCH_CHILD_OPTS");
    if (extra != null && !extra.isBlank()) {
      // e.g. -XX:StartFlightRecording=filename=server.jfr,settings=profile to profile a run
      cmd.addAll(List.of(extra.trim().split("\\s+")));
    }
    String server = System.getenv("KEYPROV_BENCH_SERVER_OPTS");
    if (server != null && !server.isBlank() && args.length > 0 && args[0].endsWith("-server")) {
      // the same, for the measured server only (not the load or a remote Key Manager)
      cmd.addAll(List.of(server.trim().split("\\s+")));
    }
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(Bench.class.getName());
    cmd.addAll(List.of(args));
    return new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
  }

  /** Reads lines from a child until one starts with {@code prefix}. */
  static String await(BufferedReader in, String prefix) throws java.io.IOException {
    String line;
    while ((line = in.readLine()) != null) {
      if (line.startsWith(prefix)) {
        return line;
      }
    }
    throw new IllegalStateException("child ended before printing " + prefix);
  }

  @Command(
      name = "handshakes",
      mixinStandardHelpOptions = true,
      description =
          "Enabler handshakes/s with Key Manager lookups vs. a static PSK table, DTLS-PSK and TLS-PSK, load from a separate process.")
  static final class Handshakes extends BenchCommand implements Callable<Integer> {
    @Option(names = "--store", defaultValue = "target/bench-store")
    Path store;

    @Option(names = "--devices", defaultValue = "100000")
    int devices;

    @Option(
        names = "--sample",
        defaultValue = "1000",
        description = "Distinct identities the load uses.")
    int sample;

    @Option(names = "--runs", defaultValue = "3")
    int runs;

    @Option(names = "--seconds", defaultValue = "15")
    int seconds;

    @Option(names = "--clients", defaultValue = "16")
    int clients;

    @Option(
        names = "--warmup",
        defaultValue = "0",
        description =
            "Seconds of load before measuring (0: cold, every identity's first lookup is measured).")
    int warmup;

    @Option(
        names = "--server-cpus",
        description = "Pin the Enabler to these CPUs (taskset -c), e.g. 0; default: unpinned.")
    String serverCpus;

    @Option(names = "--load-cpus", description = "Pin the load generator to these CPUs, e.g. 1.")
    String loadCpus;

    @Option(
        names = "--modes",
        defaultValue = "static,keyed,keyed-nocache",
        split = ",",
        description =
            "static (Enabler with a PSK table), keyed, keyed-nocache, remote (keyed, the Key"
                + " Manager a keyprov server in another JVM, over the Zn API), bare (plain Bouncy"
                + " Castle TLS server, --protos tls only)")
    List<String> modes;

    @Option(names = "--protos", defaultValue = "dtls,tls", split = ",")
    List<String> protos;

    @Option(
        names = "--series",
        defaultValue = "0",
        description = "Also print handshakes/s per slice of this many seconds (0: no series).")
    int series;

    @Option(
        names = "--dtls-handshake-rate",
        defaultValue = "5000",
        description = "The Enabler's sustained DTLS handshake rate (sizes its connection table).")
    int dtlsHandshakeRate;

    @Option(
        names = "--cache-jitter",
        defaultValue = "0.25",
        description = "Share of the cache TTL each entry's life is shortened by, at random.")
    double cacheJitter;

    @Option(
        names = "--cache-ttl",
        defaultValue = "30",
        description =
            "Seconds a looked-up key stays cached (keyed, remote); longer than warm-up plus"
                + " measurement keeps the lookups out of the measured window.")
    int cacheTtl;

    @Override
    public Integer call() throws Exception {
      PrintWriter out = out();
      if (modes.contains("bare") && protos.contains("dtls")) {
        throw new CommandLine.ParameterException(
            spec.commandLine(),
            "--modes bare is a Bouncy Castle TLS baseline: use it with --protos tls (the DTLS"
                + " baseline is static)");
      }
      long t0 = System.nanoTime();
      Path identities = store.resolve("identities.tsv");
      try (BenchStore s = BenchStore.seeded(store, devices, enabler())) {
        BenchStore.write(identities, s.sample(sample, enabler()));
      }
      out.printf(
          "seeded %d devices in %.1f s; %s%n", devices, (System.nanoTime() - t0) / 1e9, machine());
      try (RemoteKeyManager remote =
          modes.contains("remote") ? RemoteKeyManager.start(store) : null) {
        runAll(out, identities, remote);
      }
      return 0;
    }

    private void runAll(PrintWriter out, Path identities, RemoteKeyManager remote)
        throws Exception {
      for (String proto : protos) {
        java.util.Map<String, List<Double>> rates = new java.util.LinkedHashMap<>();
        java.util.Map<String, List<Double>> cpu = new java.util.LinkedHashMap<>();
        java.util.Map<String, List<Double>> cpuWork = new java.util.LinkedHashMap<>();
        for (int run = 1; run <= runs; run++) {
          // every other run in the reverse order, so a machine that slows down or speeds up
          // during the series does not favour the mode that always runs first
          List<String> order = new ArrayList<>(modes);
          if (run % 2 == 0) {
            java.util.Collections.reverse(order);
          }
          for (String mode : order) {
            List<String> args =
                new ArrayList<>(
                    List.of(
                        "handshake-server",
                        "--store",
                        store.toString(),
                        "--mode",
                        mode,
                        "--identities",
                        identities.toString(),
                        "--dtls-handshake-rate",
                        String.valueOf(dtlsHandshakeRate),
                        "--cache-jitter",
                        String.valueOf(cacheJitter),
                        "--cache-ttl",
                        String.valueOf(cacheTtl)));
            if (mode.equals("remote")) {
              args.addAll(remote.enablerArgs());
            }
            Process server = pinnedChild(serverCpus, args.toArray(String[]::new));
            BufferedReader sin =
                new BufferedReader(
                    new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8));
            String[] ready = await(sin, "READY").split(" ");
            int port = Integer.parseInt(proto.equals("dtls") ? ready[1] : ready[2]);
            Process load =
                pinnedChild(
                    loadCpus,
                    "handshake-load",
                    "--proto",
                    proto,
                    "--port",
                    String.valueOf(port),
                    "--identities",
                    identities.toString(),
                    "--clients",
                    String.valueOf(clients),
                    "--seconds",
                    String.valueOf(seconds),
                    "--warmup",
                    String.valueOf(warmup));
            BufferedReader lin =
                new BufferedReader(
                    new InputStreamReader(load.getInputStream(), StandardCharsets.UTF_8));
            await(lin, "WARM");
            // the server's CPU per handshake is counted from here: steady state, no JIT warm-up
            server.getOutputStream().write("MARK\n".getBytes(StandardCharsets.US_ASCII));
            server.getOutputStream().flush();
            String[] result = await(lin, "RESULT").split(" ");
            String[] perSecond = await(lin, "SERIES").split(" ");
            load.waitFor();
            server.getOutputStream().close();
            String[] cache = await(sin, "CACHE").split(" ");
            String heap = await(sin, "HEAP").split(" ")[1];
            String[] lookups = await(sin, "LOOKUPS").split(" ");
            // CPU since MARK over the handshakes of the measured seconds, and that share of it
            // the JIT compilers and the GC did not take
            String[] cpuLine = await(sin, "CPU").split(" ");
            long cpuNanos = Long.parseLong(cpuLine[2]);
            long served = Long.parseLong(result[2]);
            double cpuMicros = served == 0 ? 0 : cpuNanos / 1e3 / served;
            double jitAndGcMicros = served == 0 ? 0 : Long.parseLong(cpuLine[3]) / 1e3 / served;
            cpu.computeIfAbsent(mode, m -> new ArrayList<>()).add(cpuMicros);
            cpuWork.computeIfAbsent(mode, m -> new ArrayList<>()).add(cpuMicros - jitAndGcMicros);
            server.waitFor();
            double rate = Double.parseDouble(result[1]);
            rates.computeIfAbsent(mode, m -> new ArrayList<>()).add(rate);
            out.printf(
                "%s run %d %-14s %8.1f handshakes/s  (%s ok, %s errors; cache hits %s, misses %s;"
                    + " Enabler heap after GC %s MiB; server CPU %.0f µs/handshake, %.0f of it"
                    + " JIT and GC)%n",
                proto,
                run,
                mode,
                rate,
                result[2],
                result[3],
                cache[1],
                cache[2],
                heap,
                cpuMicros,
                jitAndGcMicros);
            if (series > 0) {
              out.printf("  handshakes/s per %d s: %s%n", series, slices(perSecond, series, 0));
              out.printf(
                  "  Key Manager lookups/s per %d s: %s%n",
                  series, slices(lookups, series, warmup));
            }
          }
        }
        String baseline = rates.containsKey("bare") ? "bare" : "static";
        List<Double> base = rates.get(baseline);
        out.printf("%n%s summary (min / median / max over %d runs):%n", proto, runs);
        for (var e : rates.entrySet()) {
          out.printf("  %-14s %s handshakes/s%n", e.getKey(), summary(e.getValue()));
          out.printf("  %-14s %s µs of server CPU/handshake%n", "", summary(cpu.get(e.getKey())));
          out.printf(
              "  %-14s %s µs/handshake without the JIT's and GC's%n",
              "", summary(cpuWork.get(e.getKey())));
          if (base != null && !e.getKey().equals(baseline)) {
            out.printf(
                "  %-14s ratio to %s: %s%n",
                e.getKey(), baseline, summary(ratios(e.getValue(), base)));
            out.printf(
                "  %-14s CPU/handshake ratio to %s: %s%n",
                e.getKey(), baseline, summary(ratios(cpu.get(e.getKey()), cpu.get(baseline))));
            out.printf(
                "  %-14s the same without the JIT's and GC's CPU: %s%n",
                e.getKey(), summary(ratios(cpuWork.get(e.getKey()), cpuWork.get(baseline))));
          }
        }
      }
    }
  }

  /** Each run's value over the baseline's of the same run. */
  private static List<Double> ratios(List<Double> values, List<Double> baseline) {
    List<Double> r = new ArrayList<>();
    for (int i = 0; i < values.size(); i++) {
      r.add(values.get(i) / baseline.get(i));
    }
    return r;
  }

  /**
   * Per-slice averages of a "NAME n0 n1 …" line of per-second counts (handshakes, lookups), after
   * {@code skip} seconds, with the busiest single second of each slice: "avg (max)".
   */
  static String slices(String[] perSecondLine, int slice, int skip) {
    StringBuilder out = new StringBuilder();
    for (int from = 1 + skip; from + slice <= perSecondLine.length; from += slice) {
      long sum = 0;
      long max = 0;
      for (int i = from; i < from + slice; i++) {
        long n = Long.parseLong(perSecondLine[i]);
        sum += n;
        max = Math.max(max, n);
      }
      out.append(out.length() == 0 ? "" : ", ")
          .append(sum / slice)
          .append(" (")
          .append(max)
          .append(')');
    }
    return out.toString();
  }

  @Command(name = "handshake-server", hidden = true)
  static final class HandshakeServer extends BenchCommand implements Callable<Integer> {
    @Option(names = "--store", required = true)
    Path store;

    @Option(names = "--mode", required = true)
    String mode;

    @Option(names = "--identities", required = true)
    Path identities;

    @Option(names = "--dtls-handshake-rate", defaultValue = "5000")
    int dtlsHandshakeRate;

    @Option(names = "--cache-jitter", defaultValue = "0.25")
    double cacheJitter;

    @Option(names = "--cache-ttl", defaultValue = "30")
    int cacheTtl;

    @Option(names = "--key-manager", description = "remote: the Key Manager's HTTPS base URL")
    URI keyManager;

    @Option(names = "--key-manager-cert", description = "remote: its certificate (PEM)")
    Path keyManagerCert;

    @Option(names = "--credential-file", description = "remote: this Enabler's credential")
    Path credentialFile;

    @Override
    public Integer call() throws Exception {
      if (mode.equals("bare")) {
        try (BareTlsServer bare = new BareTlsServer(BenchStore.read(identities))) {
          long cpu0 = processCpuNanos();
          out().printf("READY 0 %d%n", bare.port());
          out().flush();
          untilStdinCloses(
              out(),
              spec.commandLine().getErr(),
              cpu0,
              () -> out().printf("CACHE 0 0%nHEAP 0%nLOOKUPS%n"));
        }
        return 0;
      }
      boolean remote = mode.equals("remote");
      BenchStore s = mode.equals("static") || remote ? null : BenchStore.open(store, 16);
      org.keyprov.keys.zn.RemotePskLookup zn = remote ? remoteLookup() : null;
      PskLookup lookup =
          remote ? zn : s == null ? staticTable(BenchStore.read(identities)) : s.km.lookup();
      Enabler.Builder b =
          Enabler.builder()
              .nafId(enabler().nafId())
              .lookup(lookup)
              .coapsAddress(LOOPBACK)
              .tlsAddress(LOOPBACK)
              .dtlsHandshakesPerSecond(dtlsHandshakeRate)
              .cacheJitter(cacheJitter);
      if (remote) {
        b.invalidations(zn.invalidations()).cacheTtl(Duration.ofSeconds(cacheTtl));
      } else if (mode.equals("keyed")) {
        b.cacheTtl(Duration.ofSeconds(cacheTtl));
      } else {
        b.cacheTtl(Duration.ZERO);
      }
      try (Enabler e = b.build()) {
        e.start();
        // Key Manager lookups (cache misses) in each second since READY
        List<Long> lookups = java.util.Collections.synchronizedList(new ArrayList<>());
        java.util.concurrent.ScheduledExecutorService sampler =
            java.util.concurrent.Executors.newSingleThreadScheduledExecutor();
        long[] last = {0};
        sampler.scheduleAtFixedRate(
            () -> {
              long misses = e.cacheHitsAndMisses()[1];
              lookups.add(misses - last[0]);
              last[0] = misses;
            },
            1,
            1,
            java.util.concurrent.TimeUnit.SECONDS);
        long cpu0 = processCpuNanos();
        out().printf("READY %d %d%n", e.coapsUri().getPort(), e.tlsUri().getPort());
        out().flush();
        untilStdinCloses(
            out(),
            spec.commandLine().getErr(),
            cpu0,
            () -> {
              sampler.shutdownNow();
              long[] hm = e.cacheHitsAndMisses();
              out().printf("CACHE %d %d%n", hm[0], hm[1]);
              // what the connection table holds right after the load: Scandium keeps ~140 s of
              // sessions (after the CPU reading, so the GC asked for here is not counted)
              System.gc();
              Runtime rt = Runtime.getRuntime();
              out().printf("HEAP %d%n", (rt.totalMemory() - rt.freeMemory()) >> 20);
              StringBuilder line = new StringBuilder("LOOKUPS");
              synchronized (lookups) {
                lookups.forEach(n -> line.append(' ').append(n));
              }
              out().println(line);
            });
      } finally {
        if (s != null) {
          s.close();
        }
      }
      return 0;
    }

    /** The Zn API client of a Key Manager in another JVM, as {@code keyprov enabler} builds it. */
    private org.keyprov.keys.zn.RemotePskLookup remoteLookup() throws Exception {
      java.security.cert.X509Certificate cert;
      try (var in = java.nio.file.Files.newInputStream(keyManagerCert)) {
        cert =
            (java.security.cert.X509Certificate)
                java.security.cert.CertificateFactory.getInstance("X.509").generateCertificate(in);
      }
      return org.keyprov.keys.zn.RemotePskLookup.builder()
          .keyManager(keyManager)
          .certificate(cert)
          .credential(java.nio.file.Files.readString(credentialFile).trim())
          .timeout(Duration.ofSeconds(2))
          .build();
    }
  }

  /**
   * Runs until the orchestrator closes our stdin, then prints {@code CPU all sinceMark
   * jitAndGcSinceMark} (ns): this JVM's CPU since {@code start}, since the orchestrator wrote
   * {@code MARK} (the load's warm-up is over; {@code start} if it never did), and the share of the
   * latter the JIT compilers and the garbage collector used.
   */
  static void untilStdinCloses(PrintWriter out, PrintWriter err, long start, Runnable beforeCpuLine)
      throws java.io.IOException {
    long mark = start;
    long jitAndGcMark = ThreadCpu.jitAndGcNanos();
    boolean perThread = System.getenv("KEYPROV_BENCH_THREADS") != null;
    java.util.Map<String, Long> threadsMark = perThread ? ThreadCpu.ticks() : java.util.Map.of();
    BufferedReader in =
        new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    for (String line = in.readLine(); line != null; line = in.readLine()) {
      if (line.equals("MARK")) {
        mark = processCpuNanos();
        jitAndGcMark = ThreadCpu.jitAndGcNanos();
        threadsMark = perThread ? ThreadCpu.ticks() : threadsMark;
      }
    }
    long cpu = processCpuNanos();
    long jitAndGc = ThreadCpu.jitAndGcNanos() - jitAndGcMark;
    if (perThread) {
      // the measured window's CPU per thread, on stderr beside the line protocol on stdout
      java.util.Map<String, Long> before = threadsMark;
      ThreadCpu.ticks()
          .forEach(
              (k, v) -> {
                long ms = (v - before.getOrDefault(k, 0L)) * 10;
                if (ms > 0) {
                  err.printf("THREADS %-20s %6d ms%n", k, ms);
                }
              });
      err.flush();
    }
    beforeCpuLine.run();
    out.printf("CPU %d %d %d%n", cpu - start, cpu - mark, jitAndGc);
    out.flush();
  }

  /** CPU time this JVM has used, all threads. */
  static long processCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean)
            java.lang.management.ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }

  static StaticPskTable staticTable(List<BenchStore.Credential> credentials) {
    StaticPskTable table = new StaticPskTable();
    java.time.Instant expiry = java.time.Instant.now().plus(Duration.ofDays(1));
    for (BenchStore.Credential c : credentials) {
      table.put(c.identity(), c.key(), expiry);
    }
    return table;
  }

  @Command(name = "handshake-load", hidden = true)
  static final class HandshakeLoadCommand extends BenchCommand implements Callable<Integer> {
    @Option(names = "--proto", required = true)
    String proto;

    @Option(names = "--port", required = true)
    int port;

    @Option(names = "--identities", required = true)
    Path identities;

    @Option(names = "--clients", defaultValue = "16")
    int clients;

    @Option(names = "--seconds", defaultValue = "15")
    int seconds;

    @Option(names = "--warmup", defaultValue = "0")
    int warmup;

    @Override
    public Integer call() throws Exception {
      List<BenchStore.Credential> creds = BenchStore.read(identities);
      long warm = 0;
      if (warmup > 0) {
        warm = HandshakeLoad.run(proto, port, creds, clients, warmup).handshakes();
      }
      out().printf("WARM %d%n", warm);
      out().flush();
      HandshakeLoad.Result r = HandshakeLoad.run(proto, port, creds, clients, seconds);
      out()
          .printf(
              "RESULT %.1f %d %d %.1f %d%n",
              r.perSecond(), r.handshakes(), r.errors(), r.seconds(), warm);
      StringBuilder perSecond = new StringBuilder("SERIES");
      for (long n : r.bySecond()) {
        perSecond.append(' ').append(n);
      }
      out().println(perSecond);
      out().flush();
      return 0;
    }
  }
}
