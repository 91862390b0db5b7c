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
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;
import org.keyprov.app.testing.Nginx;
import org.keyprov.client.ClientHost;
import org.keyprov.client.ConnectionResult;
import org.keyprov.client.DeviceClient;
import org.keyprov.client.EnablerSessions;
import org.keyprov.keys.KeyManager;
import org.keyprov.keys.MasterKey;
import org.keyprov.keys.store.JdbcKeyManager;
import org.keyprov.keys.store.testing.PostgresServer;
import org.keyprov.keys.store.testing.RedisServer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Two {@code keyprov server} nodes on one PostgreSQL database and one Redis behind nginx ({@code
 * deploy/nginx/keyprov.conf}), a remote {@code keyprov enabler} reaching the Key Manager through
 * the balancer, and a fleet registering through it; once a share of the fleet is provisioned, node
 * A gets a {@code kill -9}. Counts what the issue asks: devices provisioned, duplicate instances,
 * keys minted, handshakes failed, and how long until every device was back.
 */
@Command(
    name = "failover",
    mixinStandardHelpOptions = true,
    description =
        "kill -9 of one of two keyprov server nodes (PostgreSQL, Redis, nginx) while devices provision and handshake at an Enabler; needs Debian's postgresql, redis-server, nginx and libnginx-mod-stream.")
final class Failover extends BenchCommand implements Callable<Integer> {
  private static final String DOMAIN = "km.failover.test";
  private static final String FQDN = "enabler.failover.test";

  @Option(names = "--dir", defaultValue = "target/failover", description = "Working directory.")
  Path dir;

  @Option(names = "--devices", defaultValue = "500")
  int devices;

  @Option(
      names = "--kill-at",
      defaultValue = "0.5",
      description = "Share of the devices provisioned when node A is killed (default: 0.5).")
  double killAt;

  @Option(
      names = "--interval",
      defaultValue = "PT3S",
      description = "Each device connects to the Enabler again this long after a success.")
  Duration interval;

  @Option(
      names = "--lifetime",
      defaultValue = "PT30S",
      description = "Registration lifetime: how soon a device notices its node is gone.")
  Duration lifetime;

  @Option(names = "--timeout", defaultValue = "PT5M", description = "Give up after this long.")
  Duration timeout;

  private final Map<String, AtomicLong> outcomes = new ConcurrentHashMap<>();
  private final AtomicLong attempts = new AtomicLong();
  private final AtomicLong failedAfterBack = new AtomicLong();
  private volatile boolean allBack;
  private volatile java.time.Instant killed;
  private volatile long killedNanos;
  private final Map<String, Long> backAfter = new ConcurrentHashMap<>();
  private final java.util.Set<String> registeredAfterKill = ConcurrentHashMap.newKeySet();

  @Override
  public Integer call() throws Exception {
    PrintWriter out = out();
    Runs.deleteTree(dir);
    Path nodeA = Files.createDirectories(dir.resolve("node-a"));
    Path nodeB = Files.createDirectories(dir.resolve("node-b"));
    Files.createDirectories(dir.resolve("state"));
    DataSource db = PostgresServer.shared().newDatabase();
    try (RedisServer redis = RedisServer.start(dir.resolve("redis"))) {
      Runs.nodeSettings(nodeA, db, redis.url());
      Runs.nodeSettings(nodeB, db, redis.url());
      return withNodes(out, nodeA, nodeB, db);
    }
  }

  private int withNodes(PrintWriter out, Path nodeA, Path nodeB, DataSource db) throws Exception {
    int enablerPort = Runs.freeUdpPort();
    Runs.keyprov(
        "admin",
        "add-enabler",
        "--data-dir",
        nodeA.toString(),
        "--domain",
        DOMAIN,
        "--fqdn",
        FQDN,
        "--uri",
        "coaps://127.0.0.1:" + enablerPort,
        "--key-lifetime",
        "PT1H");
    Files.copy(nodeA.resolve("master.key"), nodeB.resolve("master.key"));
    List<byte[]> psks = addDevices(db, nodeA);
    String credential =
        Runs.lastLine(
            Runs.keyprov(
                "enabler-credential",
                "create",
                "--data-dir",
                nodeA.toString(),
                "--naf-fqdn",
                FQDN));
    Path credentialFile = Files.writeString(dir.resolve("enabler.cred"), credential);
    Child.logConfig = Runs.childLogConfig(dir);

    int[] coaps = {Runs.freeUdpPort(), Runs.freeUdpPort()};
    int[] https = {Runs.freeTcpPort(), Runs.freeTcpPort()};
    Child a =
        Child.start(
            dir.resolve("node-a.log"),
            "keyprov server:",
            Runs.serverArgs(nodeA, coaps[0], https[0]));
    // every node presents the same certificate, as deploy/README.md says
    for (String file : List.of("https.p12", "https-cert.pem")) {
      Files.copy(nodeA.resolve(file), nodeB.resolve(file), StandardCopyOption.REPLACE_EXISTING);
    }
    try (Child b =
            Child.start(
                dir.resolve("node-b.log"),
                "keyprov server:",
                Runs.serverArgs(nodeB, coaps[1], https[1]));
        Nginx nginx =
            Nginx.start(
                Files.createDirectories(dir.resolve("nginx")),
                Runs.freeUdpPort(),
                Runs.freeTcpPort(),
                List.of(new Nginx.Node(coaps[0], https[0]), new Nginx.Node(coaps[1], https[1])));
        Child enabler =
            Child.start(
                dir.resolve("enabler.log"),
                "keyprov enabler:",
                Runs.enablerArgs(
                    FQDN,
                    enablerPort,
                    "https://127.0.0.1:" + nginx.httpsPort,
                    nodeA.resolve("https-cert.pem"),
                    credentialFile))) {
      out.printf(
          "failover: %d devices through nginx to 2 nodes on PostgreSQL and Redis, registration lifetime %s,"
              + " handshake every %s; kill -9 of node A at %.0f%% provisioned; %s%n",
          devices, lifetime, interval, killAt * 100, Bench.machine());
      out.flush();
      return run(out, a, nginx, psks, db);
    } finally {
      a.close();
    }
  }

  private int run(PrintWriter out, Child nodeA, Nginx nginx, List<byte[]> psks, DataSource db)
      throws Exception {
    ScheduledExecutorService connections =
        Executors.newScheduledThreadPool(
            8,
            r -> {
              Thread t = new Thread(r, "failover-connections");
              t.setDaemon(true);
              return t;
            });
    List<DeviceClient> clients = new java.util.concurrent.CopyOnWriteArrayList<>();
    List<EnablerSessions> sessions = new ArrayList<>();
    long start = System.nanoTime();
    long backAt = 0;
    // on its own thread, every 10 ms: kills node A once enough devices are provisioned (the first
    // provision while the last are being made), then notes when each device is heard again
    ScheduledExecutorService killer = Executors.newSingleThreadScheduledExecutor();
    killer.scheduleWithFixedDelay(
        () -> {
          if (killed != null) {
            for (DeviceClient c : clients) {
              if (!c.enablerParameters().isEmpty()
                  && c.lastContact().filter(t -> t.isAfter(killed)).isPresent()) {
                backAfter.putIfAbsent(c.endpoint(), System.nanoTime() - killedNanos);
              }
            }
            return;
          }
          long provisioned = clients.stream().filter(c -> !c.enablerParameters().isEmpty()).count();
          if (provisioned >= Math.ceil(devices * killAt)) {
            killedNanos = System.nanoTime();
            out.printf(
                "t=%5.1fs %d of %d provisioned: kill -9 of node A (pid %d)%n",
                seconds(start, killedNanos), provisioned, devices, nodeA.pid());
            out.flush();
            try {
              nodeA.kill();
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
            // what a device hears from now on comes from a live node
            killed = java.time.Instant.now();
          }
        },
        10,
        10,
        java.util.concurrent.TimeUnit.MILLISECONDS);
    try (ClientHost host = ClientHost.builder().registrationThreads(devices).build()) {
      for (int i = 0; i < devices; i++) {
        DeviceClient device =
            Runs.device(
                    endpoint(i),
                    psks.get(i),
                    nginx.coapsPort,
                    dir.resolve("state"),
                    lifetime,
                    Duration.ofSeconds(5),
                    host)
                .registrationRetry(Duration.ofSeconds(2))
                .build();
        EnablerSessions s =
            EnablerSessions.builder(device)
                .scheduler(connections)
                .interval(interval)
                .retry(Duration.ofSeconds(1), Duration.ofSeconds(5))
                .listener((fqdn, version, result) -> attempted(result))
                .build();
        String ep = endpoint(i);
        device.onRegistration(
            ok -> {
              if (ok && killed != null) {
                registeredAfterKill.add(ep);
              }
            });
        clients.add(device);
        sessions.add(s);
        device.start();
        s.start();
      }
      while (backAt == 0 && Duration.ofNanos(System.nanoTime() - start).compareTo(timeout) < 0) {
        // back: provisioned, and its DM server (whichever node) accepted its registration or
        // update since the kill
        if (killed != null && backAfter.size() == devices) {
          backAt = System.nanoTime();
          allBack = true;
        }
        Thread.sleep(100);
      }
      long killedAt = killedNanos;
      if (backAt != 0) {
        // handshakes go on a while with every device back: none of them may fail
        Thread.sleep(interval.multipliedBy(3).toMillis());
      }
      sessions.forEach(EnablerSessions::close); // no handshake counted while the report is made
      return report(out, start, killedAt, backAt, clients, db);
    } finally {
      killer.shutdownNow();
      sessions.forEach(EnablerSessions::close);
      java.util.concurrent.ExecutorService closing = Executors.newFixedThreadPool(32);
      clients.forEach(c -> closing.execute(c::close));
      closing.shutdown();
      closing.awaitTermination(60, java.util.concurrent.TimeUnit.SECONDS);
      connections.shutdownNow();
    }
  }

  private void attempted(ConnectionResult result) {
    attempts.incrementAndGet();
    outcomes.computeIfAbsent(Soak.classify(result), k -> new AtomicLong()).incrementAndGet();
    if (allBack && !result.success()) {
      failedAfterBack.incrementAndGet();
    }
  }

  private int report(
      PrintWriter out,
      long start,
      long killedAt,
      long backAt,
      List<DeviceClient> clients,
      DataSource db)
      throws Exception {
    long provisioned = clients.stream().filter(c -> !c.enablerParameters().isEmpty()).count();
    long duplicates = clients.stream().filter(c -> c.enablerParameters().size() > 1).count();
    long keys = count(db, "SELECT COUNT(*) FROM key_record");
    long minted = count(db, "SELECT COUNT(*) FROM audit_event WHERE action = 'key.minted'");
    long ok = outcomes.getOrDefault("ok", new AtomicLong()).get();
    out.printf("%nRESULT devices provisioned: %d of %d%n", provisioned, devices);
    out.printf("RESULT devices holding more than one instance for the Enabler: %d%n", duplicates);
    out.printf(
        "RESULT devices that registered again after the kill (node A's): %d%n",
        registeredAfterKill.size());
    out.printf("RESULT key records: %d, key.minted audit rows: %d%n", keys, minted);
    out.printf(
        "RESULT handshakes attempted %,d, succeeded %,d, failed %,d (%d after every device was"
            + " back)%n",
        attempts.get(), ok, attempts.get() - ok, failedAfterBack.get());
    outcomes.forEach((k, v) -> out.printf("RESULT   %-40s %,d%n", k, v.get()));
    if (killedAt == 0) {
      out.printf("RESULT node A was never killed: not enough devices provisioned in %s%n", timeout);
    } else if (backAt == 0) {
      out.printf("RESULT not every device was back within %s%n", timeout);
    } else {
      List<Long> times = backAfter.values().stream().sorted().toList();
      out.printf(
          "RESULT seconds from the kill until a device was heard again (min / median / p90 / max):"
              + " %.1f / %.1f / %.1f / %.1f%n",
          times.get(0) / 1e9,
          times.get(times.size() / 2) / 1e9,
          times.get((int) (times.size() * 0.9)) / 1e9,
          times.get(times.size() - 1) / 1e9);
      out.printf(
          "RESULT every device provisioned and heard by a live node %.1f s after the kill"
              + " (t=%.1fs; the last: %s)%n",
          (backAt - killedAt) / 1e9,
          seconds(start, backAt),
          backAfter.entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow().getKey());
    }
    out.flush();
    boolean good =
        backAt != 0
            && provisioned == devices
            && duplicates == 0
            && keys == devices
            && minted == devices
            && failedAfterBack.get() == 0;
    return good ? 0 : 1;
  }

  private static double seconds(long start, long at) {
    return (at - start) / 1e9;
  }

  private List<byte[]> addDevices(DataSource db, Path data) throws IOException {
    MasterKey master =
        MasterKey.of(HexFormat.of().parseHex(Files.readString(data.resolve("master.key")).trim()));
    try (KeyManager km =
        JdbcKeyManager.builder().dataSource(db).masterKey(master).domain(DOMAIN).build().start()) {
      return Runs.addDevices(km, devices, Failover::endpoint, FQDN);
    }
  }

  private static long count(DataSource db, String sql) throws Exception {
    try (Connection c = db.getConnection();
        ResultSet rs = c.createStatement().executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private static String endpoint(int i) {
    return String.format("failover-%04d", i);
  }
}
