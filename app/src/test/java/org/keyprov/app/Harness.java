package org.keyprov.app;

import static org.awaitility.Awaitility.await;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.keyprov.client.DeviceClient;
import org.keyprov.enabler.Enabler;
import org.keyprov.enabler.lookup.HandshakeListener;
import org.keyprov.keys.EnablerProfile;
import org.keyprov.keys.KeyManager;
import org.keyprov.keys.LookupResult.Refusal;
import org.keyprov.keys.ProvisioningState;
import org.keyprov.keys.gba.NafId;
import org.keyprov.keys.store.JdbcKeyManager;
import org.keyprov.keys.store.testing.TestKeyManagers;
import org.keyprov.server.DmServer;
import org.keyprov.server.cluster.RedisCluster;
import org.keyprov.server.provisioning.Backoff;

/**
 * The whole normal flow on loopback: a real Key Manager on an H2 file (or PostgreSQL), a real
 * Leshan DM server over DTLS-PSK, real Enablers over DTLS-PSK and real Leshan device clients. Close
 * it after use.
 */
final class Harness implements AutoCloseable {
  static final InetSocketAddress LOOPBACK_ANY_PORT =
      new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);

  final Path dir;
  final KeyManager km;
  final DmServer dm;
  private HttpsIdentity https;
  final ConcurrentLinkedQueue<String> refusals = new ConcurrentLinkedQueue<>();
  private final List<AutoCloseable> closeables = new ArrayList<>();
  private final java.util.Map<String, DeviceClient> devices =
      new java.util.concurrent.ConcurrentHashMap<>();

  private static final java.util.concurrent.atomic.AtomicInteger RUNS =
      new java.util.concurrent.atomic.AtomicInteger();

  Harness(Path dir) {
    this(dir, org.keyprov.keys.RenewalPolicy.DEFAULT);
  }

  /** With keys renewed once {@code renewal}'s share of their lifetime is left. */
  Harness(Path dir, org.keyprov.keys.RenewalPolicy renewal) {
    this(dir, TestKeyManagers.h2(dir), renewal);
  }

  /** On {@code database} instead of an H2 file in {@code dir}. */
  Harness(Path dir, javax.sql.DataSource database, org.keyprov.keys.RenewalPolicy renewal) {
    this(dir, database, renewal, null, LOOPBACK_ANY_PORT, null);
  }

  /**
   * One of several server nodes on the shared {@code database}, named {@code node}, its DM server
   * on {@code coaps}, as {@code keyprov server} runs on PostgreSQL (provisioning leases taken),
   * sharing registrations in the Redis at {@code redis}.
   */
  static Harness node(
      Path dir, javax.sql.DataSource database, String node, int coapsPort, java.net.URI redis) {
    return new Harness(
        dir,
        database,
        org.keyprov.keys.RenewalPolicy.DEFAULT,
        node,
        new InetSocketAddress(InetAddress.getLoopbackAddress(), coapsPort),
        redis);
  }

  /** What the DM server and the HTTPS side count, as keyprov server's registry does. */
  final io.micrometer.core.instrument.MeterRegistry meters =
      new io.micrometer.core.instrument.simple.SimpleMeterRegistry();

  private Harness(
      Path dir,
      javax.sql.DataSource database,
      org.keyprov.keys.RenewalPolicy renewal,
      String node,
      InetSocketAddress coaps,
      java.net.URI redis) {
    this.dir = dir;
    this.km =
        JdbcKeyManager.builder()
            .dataSource(database)
            .masterKey(TestKeyManagers.MASTER_KEY)
            .domain(TestKeyManagers.DOMAIN)
            .renewal(renewal)
            .build()
            .start();
    DmServer.Builder builder =
        DmServer.builder()
            .credentials(km.dmCredentials())
            .admin(km.admin())
            .ledger(km.ledger())
            .invalidations(km.invalidations())
            .audit(km.audit())
            .coapsAddress(coaps)
            .backoff(new Backoff(Duration.ofMillis(200), Duration.ofSeconds(2)))
            .requestTimeout(Duration.ofSeconds(5))
            .meters(meters);
    if (node != null) {
      // a lease holder is one run, as keyprov server's is (Storage.nodeName)
      builder.leases(km.leases(), node + "/" + RUNS.incrementAndGet());
    }
    if (redis != null) {
      RedisCluster cluster = RedisCluster.connect(redis, null, Duration.ofSeconds(5));
      closeables.add(cluster);
      try {
        cluster.claimNode(node, node + "/" + RUNS.get());
      } catch (InterruptedException e) {
        throw new IllegalStateException(e);
      }
      builder
          .redis(cluster, node, new byte[32])
          .sessionFile(dir.resolve(node + ".dtls-sessions"), new byte[32]);
    }
    this.dm = builder.build();
    dm.start();
    closeables.add(dm);
  }

  /** Starts an Enabler for {@code fqdn} and registers its profile with the Key Manager. */
  EnablerProfile givenEnabler(String fqdn) {
    return givenEnabler(fqdn, Duration.ofDays(1));
  }

  /** An Enabler whose keys live {@code keyLifetime}. */
  EnablerProfile givenEnabler(String fqdn, Duration keyLifetime) {
    EnablerProfile placeholder = TestKeyManagers.enabler(fqdn, 1);
    Enabler enabler =
        Enabler.builder()
            .nafId(placeholder.nafId())
            .lookup(km.lookup())
            .invalidations(km.invalidations())
            .coapsAddress(LOOPBACK_ANY_PORT)
            .listener(
                new HandshakeListener() {
                  @Override
                  public void keyRefused(String pskIdentity, Refusal reason, String message) {
                    refusals.add(fqdn + " " + reason + " " + pskIdentity);
                  }
                })
            .build();
    enabler.start();
    closeables.add(enabler);
    return km.admin()
        .putEnabler(EnablerProfile.dtls(fqdn, enabler.coapsUri(), keyLifetime), "test");
  }

  NafId nafIdOf(String fqdn) {
    return km.admin().enabler(fqdn).orElseThrow().nafId();
  }

  /** Registers a device with the Key Manager and assigns it the given Enablers. */
  void givenDevice(String endpoint, byte[] dmPsk, String... enablers) {
    km.admin().addDevice(endpoint, endpoint + "-dm", dmPsk, "test");
    for (String fqdn : enablers) {
      km.admin().assign(endpoint, fqdn, "test");
    }
  }

  /** Starts a device client with the given DM credential. */
  DeviceClient startDevice(String endpoint, String identity, byte[] dmPsk) {
    return startDevice(endpoint, identity, dmPsk, b -> {});
  }

  /** A device built with what {@code options} add to the harness's builder. */
  DeviceClient startDevice(
      String endpoint,
      String identity,
      byte[] dmPsk,
      java.util.function.Consumer<DeviceClient.Builder> options) {
    DeviceClient.Builder builder =
        DeviceClient.builder()
            .endpoint(endpoint)
            .dmServer(dm.coapsUri())
            .dmPsk(identity, dmPsk)
            .stateFile(dir.resolve(endpoint + ".state"))
            .requestTimeout(Duration.ofSeconds(5))
            .connectTimeout(Duration.ofSeconds(5));
    options.accept(builder);
    DeviceClient device = builder.build();
    device.start();
    closeables.add(device);
    devices.put(endpoint, device);
    return device;
  }

  /** The HTTPS identity of this Key Manager (created on first use in the harness directory). */
  HttpsIdentity https() throws Exception {
    if (https == null) {
      https = HttpsIdentity.loadOrCreate(dir, TestKeyManagers.MASTER_KEY, List.of());
    }
    return https;
  }

  /** What the Server page shows, as {@code keyprov server} fills it. */
  private ServerPage page;

  /** Starts the server's HTTPS side, as {@code keyprov server} does, on loopback; 0 = any port. */
  org.keyprov.web.WebServer startWeb(int port) throws Exception {
    page = new ServerPage(https().certificate, null, "H2 file (test)");
    page.endpoint("DM server (CoAPs, DTLS-PSK)", dm.coapsUri());
    org.keyprov.web.WebServer web =
        ServerCommand.webServer(
            km,
            dm,
            https(),
            new InetSocketAddress(InetAddress.getLoopbackAddress(), port),
            meters,
            () -> page.info(),
            null,
            null,
            null);
    web.start();
    page.endpoint("Operator UI, REST API and Enabler lookup (HTTPS)", web.uri());
    closeables.add(web);
    return web;
  }

  /** A TLS context that trusts only this Key Manager's certificate, as Enablers pin it. */
  javax.net.ssl.SSLContext pinnedTls() throws Exception {
    java.security.KeyStore trust = java.security.KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    trust.setCertificateEntry("km", https().certificate);
    javax.net.ssl.TrustManagerFactory tmf =
        javax.net.ssl.TrustManagerFactory.getInstance(
            javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    javax.net.ssl.SSLContext context = javax.net.ssl.SSLContext.getInstance("TLS");
    context.init(null, tmf.getTrustManagers(), null);
    return context;
  }

  /** A device started with {@link #startDevice}. */
  DeviceClient deviceClient(String endpoint) {
    return java.util.Objects.requireNonNull(devices.get(endpoint), endpoint + " was not started");
  }

  void onClose(AutoCloseable closeable) {
    closeables.add(closeable);
  }

  void awaitState(String endpoint, String fqdn, ProvisioningState state) {
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                km.ledger().assignments(endpoint).stream()
                    .anyMatch(a -> a.nafFqdn().equals(fqdn) && a.state() == state));
  }

  /** Waits until the device's (first) assignment records a successful Enabler connection. */
  void awaitConnectionOk(String endpoint) {
    await()
        .atMost(Duration.ofSeconds(20))
        .until(
            () ->
                km.ledger()
                    .assignments(endpoint)
                    .get(0)
                    .lastConnectionResult()
                    .filter(r -> r.startsWith("OK"))
                    .isPresent());
  }

  @Override
  public void close() throws Exception {
    for (int i = closeables.size() - 1; i >= 0; i--) {
      closeables.get(i).close();
    }
  }
}
