package org.keyprov.bench;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import javax.sql.DataSource;
import org.keyprov.app.testing.Nginx;
import org.keyprov.client.ClientHost;
import org.keyprov.client.DeviceClient;
import org.keyprov.keys.KeyManager;
import org.keyprov.keys.MasterKey;
import org.keyprov.keys.store.JdbcKeyManager;
import org.keyprov.keys.store.JdbcPool;
import org.keyprov.keys.store.testing.PostgresServer;
import org.keyprov.keys.store.testing.RedisServer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The same fleet provisioned through three deployments in one run: one {@code keyprov server} on
 * its H2 file, one on PostgreSQL, and two on PostgreSQL and Redis behind nginx; then every device
 * makes one full DTLS handshake at a remote {@code keyprov enabler}, each a Key Manager lookup.
 * Reports devices/s, handshakes/s and the server nodes' CPU per device (summed and per node, since
 * two cores cannot show two nodes scaling), and what a deployment keeps per device: server heap,
 * PostgreSQL bytes, Redis bytes.
 */
@Command(
    name = "scale",
    mixinStandardHelpOptions = true,
    description =
        "Provisioning and Enabler handshakes through 1 node on H2, 1 node on PostgreSQL and 2 nodes on PostgreSQL + Redis behind nginx, same run; needs Debian's postgresql, redis-server, nginx and libnginx-mod-stream.")
final class Scale extends BenchCommand implements Callable<Integer> {
  private static final String DOMAIN = "km.scale.test";
  private static final String FQDN = "enabler.scale.test";

  @Option(names = "--dir", defaultValue = "target/scale", description = "Working directory.")
  Path dir;

  @Option(names = "--devices", defaultValue = "1000")
  int devices;

  @Option(names = "--runs", defaultValue = "3", description = "Runs of the three deployments.")
  int runs;

  @Option(
      names = "--warmup",
      defaultValue = "200",
      description =
          "Devices provisioned and connected first, not counted: the servers' JIT warms up on them.")
  int warmup;

  @Option(names = "--timeout", defaultValue = "PT5M", description = "Give up a phase after this.")
  Duration timeout;

  /** The deployments measured, the first one the baseline of the ratios. */
  enum Deployment {
    H2("1 node, H2"),
    POSTGRES("1 node, PostgreSQL"),
    REDIS("1 node, PostgreSQL + Redis"),
    CLUSTER("2 nodes, PostgreSQL + Redis");

    final String label;

    Deployment(String label) {
      this.label = label;
    }
  }

  /** One deployment's figures in one run; CPU in ms, sizes in bytes, per device. */
  record Result(
      double provisionedPerSecond,
      double handshakesPerSecond,
      double cpuMsPerDevice,
      List<Double> cpuMsPerDeviceByNode,
      double cpuMsPerHandshake,
      double infrastructureMsPerDevice,
      double infrastructureMsPerHandshake,
      double heapBytesPerDevice,
      double databaseBytesPerDevice,
      double redisBytesPerDevice,
      long handshakesFailed) {}

  @Override
  public Integer call() throws Exception {
    PrintWriter out = out();
    Runs.deleteTree(dir);
    Files.createDirectories(dir);
    Child.logConfig = Runs.childLogConfig(dir);
    out.printf(
        "scale: %d devices through each deployment (after %d not counted), %d runs; %s%n",
        devices, warmup, runs, Bench.machine());
    out.flush();
    Map<Deployment, List<Result>> results = new EnumMap<>(Deployment.class);
    boolean good = true;
    for (int run = 1; run <= runs; run++) {
      List<Deployment> order = new ArrayList<>(List.of(Deployment.values()));
      if (run % 2 == 0) {
        java.util.Collections.reverse(order); // no deployment always goes first
      }
      for (Deployment d : order) {
        Result r = measure(d, dir.resolve("run-" + run + "-" + d.name().toLowerCase()));
        results.computeIfAbsent(d, k -> new ArrayList<>()).add(r);
        good &= r.handshakesFailed() == 0;
        out.printf(
            "run %d %-28s %7.1f provisioned/s %7.1f handshakes/s (%d failed)  server CPU %5.2f"
                + " ms/device %s, %5.2f ms/handshake; PostgreSQL, Redis, nginx CPU %5.2f"
                + " ms/device, %5.2f ms/handshake; heap %5.1f KiB, PostgreSQL %5.1f KiB,"
                + " Redis %4.1f KiB per device%n",
            run,
            d.label,
            r.provisionedPerSecond(),
            r.handshakesPerSecond(),
            r.handshakesFailed(),
            r.cpuMsPerDevice(),
            r.cpuMsPerDeviceByNode().stream().map(v -> String.format("%.2f", v)).toList(),
            r.cpuMsPerHandshake(),
            r.infrastructureMsPerDevice(),
            r.infrastructureMsPerHandshake(),
            r.heapBytesPerDevice() / 1024,
            r.databaseBytesPerDevice() / 1024,
            r.redisBytesPerDevice() / 1024);
        out.flush();
      }
    }
    summarize(out, results);
    return good ? 0 : 1;
  }

  private void summarize(PrintWriter out, Map<Deployment, List<Result>> results) {
    List<Result> base = results.get(Deployment.H2);
    out.printf("min / median / max over %d runs; ratios against %s in the same run%n", runs, "H2");
    for (Map.Entry<Deployment, List<Result>> e : results.entrySet()) {
      List<Result> rs = e.getValue();
      out.printf(
          "%-28s provisioned/s      %s%n",
          e.getKey().label, summary(rs, Result::provisionedPerSecond));
      out.printf("%-28s handshakes/s       %s%n", "", summary(rs, Result::handshakesPerSecond));
      out.printf("%-28s CPU ms/device      %s%n", "", summary(rs, Result::cpuMsPerDevice));
      out.printf("%-28s CPU ms/handshake   %s%n", "", summary(rs, Result::cpuMsPerHandshake));
      out.printf(
          "%-28s PostgreSQL, Redis, nginx CPU ms/device %s, ms/handshake %s%n",
          "",
          summary(rs, Result::infrastructureMsPerDevice),
          summary(rs, Result::infrastructureMsPerHandshake));
      out.printf(
          "%-28s heap KiB/device %s, PostgreSQL KiB/device %s, Redis KiB/device %s%n",
          "",
          summary(rs, r -> r.heapBytesPerDevice() / 1024),
          summary(rs, r -> r.databaseBytesPerDevice() / 1024),
          summary(rs, r -> r.redisBytesPerDevice() / 1024));
      if (e.getKey() != Deployment.H2) {
        out.printf(
            "%-28s provisioned/s vs H2 %s, CPU/device vs H2 %s (with PostgreSQL, Redis, nginx %s)%n",
            "",
            ratios(rs, base, Result::provisionedPerSecond),
            ratios(rs, base, Result::cpuMsPerDevice),
            ratios(rs, base, r -> r.cpuMsPerDevice() + r.infrastructureMsPerDevice()));
      }
    }
    out.flush();
  }

  private static String summary(List<Result> rs, java.util.function.ToDoubleFunction<Result> f) {
    return Bench.summary(rs.stream().map(r -> f.applyAsDouble(r)).toList());
  }

  private static String ratios(
      List<Result> rs, List<Result> base, java.util.function.ToDoubleFunction<Result> f) {
    List<Double> ratios = new ArrayList<>();
    for (int i = 0; i < rs.size(); i++) {
      ratios.add(f.applyAsDouble(rs.get(i)) / f.applyAsDouble(base.get(i)));
    }
    return Bench.summary(ratios);
  }

  private Result measure(Deployment d, Path at) throws Exception {
    int nodes = d == Deployment.CLUSTER ? 2 : 1;
    List<Path> data = new ArrayList<>();
    for (int i = 0; i < nodes; i++) {
      data.add(Files.createDirectories(at.resolve("node-" + i)));
    }
    Files.createDirectories(at.resolve("state"));
    DataSource db = d == Deployment.H2 ? null : PostgresServer.shared().newDatabase();
    RedisServer redis =
        d == Deployment.REDIS || d == Deployment.CLUSTER
            ? RedisServer.start(at.resolve("redis"))
            : null;
    try {
      for (Path node : data) {
        if (db != null) {
          Runs.nodeSettings(node, db, redis == null ? null : redis.url());
        }
      }
      int enablerPort = Runs.freeUdpPort();
      Runs.keyprov(
          "admin",
          "add-enabler",
          "--data-dir",
          data.get(0).toString(),
          "--domain",
          DOMAIN,
          "--fqdn",
          FQDN,
          "--uri",
          "coaps://127.0.0.1:" + enablerPort,
          "--key-lifetime",
          "PT1H");
      List<byte[]> psks = addDevices(data.get(0), db);
      Path credential =
          Files.writeString(
              at.resolve("enabler.cred"),
              Runs.lastLine(
                  Runs.keyprov(
                      "enabler-credential",
                      "create",
                      "--data-dir",
                      data.get(0).toString(),
                      "--naf-fqdn",
                      FQDN)));
      return withServers(d, at, data, db, redis, psks, enablerPort, credential);
    } finally {
      if (redis != null) {
        redis.close();
      }
    }
  }

  private Result withServers(
      Deployment d,
      Path at,
      List<Path> data,
      DataSource db,
      RedisServer redis,
      List<byte[]> psks,
      int enablerPort,
      Path credential)
      throws Exception {
    List<Child> servers = new ArrayList<>();
    List<int[]> ports = new ArrayList<>();
    Nginx nginx = null;
    try {
      for (int i = 0; i < data.size(); i++) {
        int[] p = {Runs.freeUdpPort(), Runs.freeTcpPort()};
        ports.add(p);
        if (i > 0) {
          // every node holds the same master key and presents the same certificate
          for (String file : List.of("master.key", "https.p12", "https-cert.pem")) {
            Files.copy(
                data.get(0).resolve(file),
                data.get(i).resolve(file),
                StandardCopyOption.REPLACE_EXISTING);
          }
        }
        servers.add(
            Child.start(
                at.resolve("node-" + i + ".log"),
                "keyprov server:",
                Runs.serverArgs(data.get(i), p[0], p[1])));
      }
      int coaps = ports.get(0)[0];
      int https = ports.get(0)[1];
      if (data.size() > 1) {
        nginx =
            Nginx.start(
                Files.createDirectories(at.resolve("nginx")),
                Runs.freeUdpPort(),
                Runs.freeTcpPort(),
                ports.stream().map(p -> new Nginx.Node(p[0], p[1])).toList());
        coaps = nginx.coapsPort;
        https = nginx.httpsPort;
      }
      try (Child enabler =
          Child.start(
              at.resolve("enabler.log"),
              "keyprov enabler:",
              Runs.enablerArgs(
                  FQDN,
                  enablerPort,
                  "https://127.0.0.1:" + https,
                  data.get(0).resolve("https-cert.pem"),
                  credential))) {
        return drive(d, at, servers, psks, coaps, db, redis);
      }
    } finally {
      if (nginx != null) {
        nginx.close();
      }
      for (Child s : servers) {
        s.close();
      }
    }
  }

  private Result drive(
      Deployment d,
      Path at,
      List<Child> servers,
      List<byte[]> psks,
      int coaps,
      DataSource db,
      RedisServer redis)
      throws Exception {
    List<DeviceClient> clients = new ArrayList<>();
    try (ClientHost host = ClientHost.builder().registrationThreads(warmup + devices).build()) {
      try {
        return count(d, servers, db, redis, clients, host, at, psks, coaps);
      } finally {
        // before their host closes: each deregisters through it
        for (DeviceClient c : clients) {
          c.close();
        }
      }
    }
  }

  /** Warms the servers up, then provisions and connects the counted fleet. */
  private Result count(
      Deployment d,
      List<Child> servers,
      DataSource db,
      RedisServer redis,
      List<DeviceClient> clients,
      ClientHost host,
      Path at,
      List<byte[]> psks,
      int coaps)
      throws Exception {
    List<DeviceClient> warm = start(clients, host, 0, warmup, at, psks, coaps);
    awaitAll(() -> warm.stream().allMatch(c -> !c.enablerParameters().isEmpty()));
    handshakes(warm);
    long heapBefore = heap(servers);
    long redisBefore = redis == null ? 0 : redis.usedMemory();
    long databaseBefore = databaseBytes(db);
    long[] cpuBefore = cpu(servers);
    long infraBefore = infrastructureCpu();
    long start = System.nanoTime();
    List<DeviceClient> fleet = start(clients, host, warmup, warmup + devices, at, psks, coaps);
    awaitAll(() -> fleet.stream().allMatch(c -> !c.enablerParameters().isEmpty()));
    double provisioningSeconds = (System.nanoTime() - start) / 1e9;
    long[] cpuProvisioned = cpu(servers);
    long infraProvisioned = infrastructureCpu();
    long heap = heap(servers) - heapBefore;
    long redisBytes = redis == null ? 0 : redis.usedMemory() - redisBefore;
    long databaseBytes = databaseBytes(db) - databaseBefore;

    long[] cpuBeforeHandshakes = cpu(servers);
    long infraBeforeHandshakes = infrastructureCpu();
    long handshakeStart = System.nanoTime();
    long failed = handshakes(fleet);
    double handshakeSeconds = (System.nanoTime() - handshakeStart) / 1e9;
    long[] cpuHandshakes = cpu(servers);
    long infraHandshakes = infrastructureCpu();

    List<Double> byNode = new ArrayList<>();
    double total = 0;
    for (int i = 0; i < servers.size(); i++) {
      double ms = (cpuProvisioned[i] - cpuBefore[i]) / 1e6 / devices;
      byNode.add(ms);
      total += ms;
    }
    double handshakeCpu = 0;
    for (int i = 0; i < servers.size(); i++) {
      handshakeCpu += (cpuHandshakes[i] - cpuBeforeHandshakes[i]) / 1e6 / devices;
    }
    return new Result(
        devices / provisioningSeconds,
        devices / handshakeSeconds,
        total,
        byNode,
        handshakeCpu,
        (infraProvisioned - infraBefore) / 1e6 / devices,
        (infraHandshakes - infraBeforeHandshakes) / 1e6 / devices,
        (double) heap / devices,
        d == Deployment.H2 ? Double.NaN : (double) databaseBytes / devices,
        (double) redisBytes / devices,
        failed);
  }

  /** Starts devices {@code from} to {@code to} (exclusive), adding them to {@code all}. */
  private List<DeviceClient> start(
      List<DeviceClient> all,
      ClientHost host,
      int from,
      int to,
      Path at,
      List<byte[]> psks,
      int coaps) {
    List<DeviceClient> started = new ArrayList<>();
    for (int i = from; i < to; i++) {
      DeviceClient device =
          Runs.device(
                  endpoint(i),
                  psks.get(i),
                  coaps,
                  at.resolve("state"),
                  Duration.ofMinutes(10),
                  Duration.ofSeconds(10),
                  host)
              .build();
      all.add(device);
      started.add(device);
      device.start();
    }
    return started;
  }

  /** Every device's first handshake at the Enabler, 32 at a time; the number that failed. */
  private static long handshakes(List<DeviceClient> clients) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(32);
    try {
      List<Future<Boolean>> done = new ArrayList<>();
      for (DeviceClient c : clients) {
        done.add(pool.submit(() -> c.connector().connect(FQDN).success()));
      }
      long failed = 0;
      for (Future<Boolean> f : done) {
        failed += f.get() ? 0 : 1;
      }
      return failed;
    } finally {
      pool.shutdownNow();
    }
  }

  private void awaitAll(java.util.function.BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("not every device was provisioned within " + timeout);
      }
      Thread.sleep(20);
    }
  }

  /**
   * CPU time used so far by the PostgreSQL, Redis and nginx processes, in ns: the work H2 does
   * inside the server's JVM, they do outside it. (A PostgreSQL backend that exits takes its CPU
   * time with it; the servers' pooled connections keep theirs.)
   */
  private static long infrastructureCpu() {
    return ProcessHandle.allProcesses()
        .filter(
            p ->
                p.info()
                    .command()
                    .map(
                        c ->
                            c.endsWith("/postgres")
                                || c.endsWith("/redis-server")
                                || c.endsWith("/nginx"))
                    .orElse(false))
        .mapToLong(p -> p.info().totalCpuDuration().map(Duration::toNanos).orElse(0L))
        .sum();
  }

  /** Live heap of the server processes together, after a full GC, in bytes. */
  private static long heap(List<Child> servers) {
    long bytes = 0;
    for (int i = 0; i < servers.size(); i++) {
      bytes += Probe.of("node-" + i, servers.get(i), 0).heapKiB() * 1024;
    }
    return bytes;
  }

  /** CPU time used so far by each server process, in ns. */
  private static long[] cpu(List<Child> servers) {
    long[] ns = new long[servers.size()];
    for (int i = 0; i < ns.length; i++) {
      ns[i] =
          ProcessHandle.of(servers.get(i).pid())
              .flatMap(p -> p.info().totalCpuDuration())
              .map(Duration::toNanos)
              .orElse(0L);
    }
    return ns;
  }

  private static long databaseBytes(DataSource db) throws Exception {
    if (db == null) {
      return 0;
    }
    try (Connection c = db.getConnection();
        ResultSet rs =
            c.createStatement().executeQuery("SELECT pg_database_size(current_database())")) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private List<byte[]> addDevices(Path data, DataSource db) throws IOException {
    MasterKey master =
        MasterKey.of(HexFormat.of().parseHex(Files.readString(data.resolve("master.key")).trim()));
    if (db != null) {
      try (KeyManager km =
          JdbcKeyManager.builder()
              .dataSource(db)
              .masterKey(master)
              .domain(DOMAIN)
              .build()
              .start()) {
        return Runs.addDevices(km, warmup + devices, Scale::endpoint, FQDN);
      }
    }
    try (JdbcPool pool = JdbcPool.h2(data.resolve("keyprov"), 2, "AUTO_SERVER=TRUE");
        KeyManager km =
            JdbcKeyManager.builder()
                .dataSource(pool.dataSource())
                .masterKey(master)
                .domain(DOMAIN)
                .build()
                .start()) {
      return Runs.addDevices(km, warmup + devices, Scale::endpoint, FQDN);
    }
  }

  private static String endpoint(int i) {
    return String.format("scale-%05d", i);
  }
}
