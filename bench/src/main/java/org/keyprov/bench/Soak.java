package org.keyprov.bench;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicLong;
import org.keyprov.client.ClientHost;
import org.keyprov.client.ConnectionResult;
import org.keyprov.client.DeviceClient;
import org.keyprov.client.EnablerSessions;
import org.keyprov.client.object.EnablerSecurityState;
import org.keyprov.keys.KeyManager;
import org.keyprov.keys.MasterKey;
import org.keyprov.keys.store.JdbcKeyManager;
import org.keyprov.keys.store.JdbcPool;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * A device fleet's life compressed into minutes, against the real {@code keyprov server} and a
 * remote {@code keyprov enabler} in processes of their own: short key lifetimes, every device
 * handshaking at the Enabler every few seconds, a {@code kill -9} of the Key Manager at a third of
 * the run (restarted), an Enabler restart at two thirds, and ten revocations at four fifths.
 */
@Command(
    name = "soak",
    mixinStandardHelpOptions = true,
    description =
        "Devices on one ClientHost handshake at a remote Enabler for the whole run while keys rotate, the Key Manager is killed and restarted, the Enabler restarted and keys revoked.")
final class Soak extends BenchCommand implements Callable<Integer> {
  private static final String DOMAIN = "km.soak.test";
  private static final String FQDN = "enabler.soak.test";
  private static final int REVOKED = 10;

  @Option(names = "--dir", defaultValue = "target/soak", description = "Working directory.")
  Path dir;

  @Option(names = "--devices", defaultValue = "200")
  int devices;

  @Option(names = "--duration", defaultValue = "PT15M")
  Duration duration;

  @Option(names = "--key-lifetime", defaultValue = "PT2M")
  Duration keyLifetime;

  @Option(
      names = "--interval",
      defaultValue = "PT5S",
      description = "Each device connects to the Enabler again this long after a success.")
  Duration interval;

  private final Map<String, AtomicLong> outcomes = new ConcurrentHashMap<>();
  private final Map<String, Integer> newestVersion = new ConcurrentHashMap<>();
  private final Map<String, Instant> revokedAt = new ConcurrentHashMap<>();
  private final AtomicLong longestRevokedUseMs = new AtomicLong();
  private final AtomicLong attempts = new AtomicLong();

  @Override
  public Integer call() throws Exception {
    PrintWriter out = out();
    Path data = dir.resolve("data");
    Runs.deleteTree(dir);
    Files.createDirectories(dir.resolve("state"));
    int coaps = Runs.freeUdpPort();
    int https = Runs.freeTcpPort();
    int enablerPort = Runs.freeUdpPort();
    String dataDir = data.toString();
    Runs.keyprov(
        "admin",
        "add-enabler",
        "--data-dir",
        dataDir,
        "--domain",
        DOMAIN,
        "--fqdn",
        FQDN,
        "--uri",
        "coaps://127.0.0.1:" + enablerPort,
        "--key-lifetime",
        keyLifetime.toString());
    List<byte[]> psks = addDevices(data);
    String credential =
        Runs.lastLine(
            Runs.keyprov(
                "enabler-credential", "create", "--data-dir", dataDir, "--naf-fqdn", FQDN));
    Path credentialFile = Files.writeString(dir.resolve("enabler.cred"), credential);
    Child.logConfig = Runs.childLogConfig(dir);
    String[] server = {
      "server",
      "--data-dir",
      dataDir,
      "--domain",
      DOMAIN,
      "--bind",
      "127.0.0.1",
      "--coaps-port",
      String.valueOf(coaps),
      "--https-port",
      String.valueOf(https)
    };
    String[] enabler =
        Runs.enablerArgs(
            FQDN,
            enablerPort,
            "https://127.0.0.1:" + https,
            data.resolve("https-cert.pem"),
            credentialFile);
    out.printf(
        "soak: %d devices, %s, key lifetime %s, interval %s; %s%n",
        devices, duration, keyLifetime, interval, Bench.machine());
    out.flush();
    List<Probe> probes = new ArrayList<>();
    try (Child km = Child.start(dir.resolve("server.log"), "keyprov server:", server);
        Child en = Child.start(dir.resolve("enabler.log"), "keyprov enabler:", enabler)) {
      probes.add(Probe.of("server", km, 0));
      probes.add(Probe.of("enabler", en, 0));
      ScheduledExecutorService connections =
          Executors.newScheduledThreadPool(
              8,
              r -> {
                Thread t = new Thread(r, "soak-connections");
                t.setDaemon(true);
                return t;
              });
      List<DeviceClient> clients = new ArrayList<>();
      List<EnablerSessions> sessions = new ArrayList<>();
      long start = System.nanoTime();
      // a registration thread per device, as each real device has: after a kill -9 every
      // device's next update times out, and a smaller pool would queue them behind each other
      try (ClientHost host = ClientHost.builder().registrationThreads(devices).build()) {
        for (int i = 0; i < devices; i++) {
          DeviceClient device =
              Runs.device(
                      endpoint(i),
                      psks.get(i),
                      coaps,
                      dir.resolve("state"),
                      Duration.ofSeconds(60),
                      Duration.ofSeconds(5),
                      host)
                  .build();
          String ep = endpoint(i);
          EnablerSessions s =
              EnablerSessions.builder(device)
                  .scheduler(connections)
                  .interval(interval)
                  .retry(Duration.ofSeconds(1), Duration.ofSeconds(10))
                  .listener((fqdn, version, result) -> attempted(ep, version, result))
                  .build();
          clients.add(device);
          sessions.add(s);
          device.start();
          s.start();
        }
        run(out, start, km, en, clients, server, enabler, probes);
      } finally {
        sessions.forEach(EnablerSessions::close);
        // each close deregisters and waits for the answer: in parallel, not 200 round trips
        java.util.concurrent.ExecutorService closing = Executors.newFixedThreadPool(32);
        clients.forEach(c -> closing.execute(c::close));
        closing.shutdown();
        closing.awaitTermination(60, java.util.concurrent.TimeUnit.SECONDS);
        connections.shutdownNow();
      }
    }
    return report(out, probes);
  }

  /** The timeline: kill -9 and restart the Key Manager, restart the Enabler, revoke ten keys. */
  private void run(
      PrintWriter out,
      long start,
      Child km,
      Child en,
      List<DeviceClient> clients,
      String[] server,
      String[] enabler,
      List<Probe> probes)
      throws Exception {
    Duration killAt = duration.dividedBy(3);
    Duration restartEnablerAt = duration.multipliedBy(2).dividedBy(3);
    Duration revokeAt = duration.multipliedBy(4).dividedBy(5);
    boolean killed = false;
    boolean restarted = false;
    boolean revoked = false;
    Duration nextProbe = Duration.ofMinutes(1);
    while (true) {
      Duration now = Duration.ofNanos(System.nanoTime() - start);
      if (now.compareTo(duration) >= 0) {
        return;
      }
      if (!killed && now.compareTo(killAt) >= 0) {
        killed = true;
        event(out, now, "kill -9 of the Key Manager (pid " + km.pid() + "), restarted");
        km.restart(true, server);
        probes.add(Probe.of("server", km, now.toSeconds()));
      }
      if (!restarted && now.compareTo(restartEnablerAt) >= 0) {
        restarted = true;
        event(out, now, "restart of the Enabler (pid " + en.pid() + ")");
        en.restart(false, enabler);
        probes.add(Probe.of("enabler", en, now.toSeconds()));
      }
      if (!revoked && now.compareTo(revokeAt) >= 0) {
        revoked = true;
        revoke(out, now, clients);
      }
      if (now.compareTo(nextProbe) >= 0) {
        nextProbe = nextProbe.plusMinutes(1);
        probes.add(Probe.of("server", km, now.toSeconds()));
        probes.add(Probe.of("enabler", en, now.toSeconds()));
        out.printf("t=%4ds %,d attempts, outcomes %s%n", now.toSeconds(), attempts.get(), outcomes);
        out.flush();
      }
      Thread.sleep(250);
    }
  }

  private void revoke(PrintWriter out, Duration now, List<DeviceClient> clients) {
    int done = 0;
    for (DeviceClient c : clients) {
      if (done == REVOKED) {
        break;
      }
      for (EnablerSecurityState s : c.enablerParameters()) {
        if (s.hasKey() && !revokedAt.containsKey(s.pskIdentity())) {
          String btid = s.pskIdentity();
          Runs.keyprov(
              "admin", "revoke", "--data-dir", dir.resolve("data").toString(), "--btid", btid);
          revokedAt.put(btid, Instant.now());
          done++;
        }
      }
    }
    event(out, now, "revoked " + done + " keys");
  }

  private void attempted(String endpoint, int version, ConnectionResult result) {
    attempts.incrementAndGet();
    newestVersion.merge(endpoint, version, Math::max);
    String outcome = classify(result);
    long n = outcomes.computeIfAbsent(outcome, k -> new AtomicLong()).incrementAndGet();
    if (!result.success() && n <= 3) {
      // the first few of each kind, with the device, for the logs to explain
      out()
          .printf(
              "%s first failures (%s): %s version %d: %s%n",
              Instant.now(), outcome, endpoint, version, result.detail());
      out().flush();
    }
    if (result.success()) {
      for (Map.Entry<String, Instant> r : revokedAt.entrySet()) {
        if (result.detail().contains("identity=" + r.getKey())) {
          long late = Duration.between(r.getValue(), Instant.now()).toMillis();
          longestRevokedUseMs.accumulateAndGet(late, Math::max);
        }
      }
    }
  }

  /** A short name for what happened; the failure kinds the issue asks to tell apart. */
  static String classify(ConnectionResult r) {
    String d = r.detail();
    if (r.success()) {
      return "ok";
    }
    if (d.contains("expired")) {
      return "key expired";
    }
    if (d.contains("UNKNOWN_PSK_IDENTITY")) {
      return "unknown_psk_identity";
    }
    if (d.contains("INTERNAL_ERROR")) {
      return "internal_error";
    }
    if (d.contains("no answer") || d.contains("timed out") || d.contains("timeout")) {
      return "no answer";
    }
    return d.length() > 60 ? d.substring(0, 60) : d;
  }

  private int report(PrintWriter out, List<Probe> probes) {
    List<Integer> rotations = new ArrayList<>();
    for (int v : newestVersion.values()) {
      rotations.add(Math.max(0, v - 1));
    }
    rotations.sort(Integer::compare);
    long expired = outcomes.getOrDefault("key expired", new AtomicLong()).get();
    long ok = outcomes.getOrDefault("ok", new AtomicLong()).get();
    out.printf("%nRESULT devices that connected: %d of %d%n", newestVersion.size(), devices);
    if (!rotations.isEmpty()) {
      out.printf(
          "RESULT rotations per device (min / median / max): %d / %d / %d%n",
          rotations.get(0),
          rotations.get(rotations.size() / 2),
          rotations.get(rotations.size() - 1));
    }
    out.printf(
        "RESULT handshakes attempted %,d, succeeded %,d, failed %,d%n",
        attempts.get(), ok, attempts.get() - ok);
    outcomes.forEach((k, v) -> out.printf("RESULT   %-40s %,d%n", k, v.get()));
    out.printf("RESULT failures caused by expiry: %d%n", expired);
    out.printf(
        "RESULT longest time a revoked key still worked: %d ms (%d keys revoked)%n",
        longestRevokedUseMs.get(), revokedAt.size());
    for (Probe p : probes) {
      out.printf(
          "RESULT %-8s t=%4ds live heap %,7d KiB, threads %d%n",
          p.process(), p.atSeconds(), p.heapKiB(), p.threads());
    }
    out.flush();
    return 0;
  }

  private static void event(PrintWriter out, Duration at, String what) {
    out.printf("t=%4ds %s%n", at.toSeconds(), what);
    out.flush();
  }

  private List<byte[]> addDevices(Path data) throws IOException {
    MasterKey master =
        MasterKey.of(HexFormat.of().parseHex(Files.readString(data.resolve("master.key")).trim()));
    try (JdbcPool pool = JdbcPool.h2(data.resolve("keyprov"), 2, "AUTO_SERVER=TRUE");
        KeyManager km =
            JdbcKeyManager.builder()
                .dataSource(pool.dataSource())
                .masterKey(master)
                .domain(DOMAIN)
                .build()
                .start()) {
      return Runs.addDevices(km, devices, Soak::endpoint, FQDN);
    }
  }

  private static String endpoint(int i) {
    return String.format("soak-%04d", i);
  }
}
