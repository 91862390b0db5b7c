package org.keyprov.app;

import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.keyprov.client.ClientHost;
import org.keyprov.client.ConnectionResult;
import org.keyprov.client.DeviceClient;
import org.keyprov.client.object.EnablerSecurityState;
import org.keyprov.enabler.Enabler;
import org.keyprov.keys.CredentialAdmin;
import org.keyprov.keys.DmPsk;
import org.keyprov.keys.EnablerProfile;
import org.keyprov.keys.KeyManager;
import org.keyprov.server.DmServer;
import org.keyprov.server.bootstrap.BootstrapServer;
import org.keyprov.server.provisioning.ProvisioningListener;

/**
 * The whole normal flow in one process: Key Manager, DM server and Enabler on loopback, and N
 * simulated devices that register, receive their Enabler parameters, connect to the Enabler and
 * report the result back to the server.
 */
final class Demo {
  static final String ENABLER_FQDN = "enabler.demo.keyprov.local";
  private static final InetSocketAddress LOOPBACK =
      new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);

  /** What happened to one simulated device. */
  record Outcome(
      String endpoint,
      boolean registered,
      boolean provisioned,
      boolean handshake,
      boolean reported,
      String reason) {
    boolean succeeded() {
      return registered && provisioned && handshake && reported;
    }
  }

  private final Storage store;
  private final int devices;
  private final int parallel;
  private final Duration timeout;
  private final PrintWriter out;
  private final boolean bootstrap;
  private final AtomicInteger registered = new AtomicInteger();
  private final AtomicInteger provisioned = new AtomicInteger();
  private final AtomicInteger connected = new AtomicInteger();
  private final AtomicInteger failed = new AtomicInteger();
  private final ConcurrentHashMap<String, CountDownLatch> reported = new ConcurrentHashMap<>();

  /**
   * @param bootstrap devices start with a factory bootstrap credential only and get their DM PSK
   *     from the bootstrap server
   */
  Demo(
      Storage store,
      int devices,
      int parallel,
      Duration timeout,
      PrintWriter out,
      boolean bootstrap) {
    this.bootstrap = bootstrap;
    this.store = store;
    this.devices = devices;
    this.parallel = parallel;
    this.timeout = timeout;
    this.out = out;
  }

  List<Outcome> run() throws Exception {
    KeyManager km = store.keyManager;
    // the simulated devices share one set of client threads, however many there are
    try (ClientHost host = ClientHost.builder().registrationThreads(parallel).build();
        Enabler enabler =
            Enabler.builder()
                .nafId(
                    EnablerProfile.dtls(
                            ENABLER_FQDN,
                            java.net.URI.create("coaps://127.0.0.1:1"),
                            Duration.ofDays(1))
                        .nafId())
                .lookup(km.lookup())
                .invalidations(km.invalidations())
                .coapsAddress(LOOPBACK)
                .build();
        DmServer dm =
            DmServer.builder()
                .credentials(km.dmCredentials())
                .admin(km.admin())
                .ledger(km.ledger())
                .invalidations(km.invalidations())
                .coapsAddress(LOOPBACK)
                .listener(
                    new ProvisioningListener() {
                      @Override
                      public void connectionReported(
                          String endpoint, String nafFqdn, String result) {
                        if (result.startsWith("OK")) {
                          reported
                              .computeIfAbsent(endpoint, e -> new CountDownLatch(1))
                              .countDown();
                        }
                      }
                    })
                .build()) {
      enabler.start();
      km.admin()
          .putEnabler(
              EnablerProfile.dtls(ENABLER_FQDN, enabler.coapsUri(), Duration.ofDays(1)),
              CredentialAdmin.cliActor());
      dm.start();
      BootstrapServer bs = bootstrap ? bootstrapServer(km, dm) : null;
      out.printf(
          "keyprov demo: Key Manager on %s, DM server %s,%s Enabler %s at %s%n",
          store.dataDir.toAbsolutePath(),
          dm.coapsUri(),
          bs == null ? "" : " bootstrap server " + bs.coapsUri() + ",",
          ENABLER_FQDN,
          enabler.coapsUri());
      List<String> endpoints = prepareDevices(km);
      ExecutorService pool = Executors.newFixedThreadPool(parallel);
      List<CompletableFuture<Outcome>> futures = new ArrayList<>();
      for (String ep : endpoints) {
        futures.add(
            CompletableFuture.supplyAsync(
                () -> simulate(host, dm, bs, ep, enabler.coapsUri().toString()), pool));
      }
      ScheduledProgress progress = new ScheduledProgress();
      try {
        List<Outcome> outcomes = new ArrayList<>();
        for (CompletableFuture<Outcome> f : futures) {
          outcomes.add(f.join());
        }
        return outcomes;
      } finally {
        progress.stop();
        pool.shutdownNow();
        if (bs != null) {
          bs.close();
        }
      }
    }
  }

  private List<String> prepareDevices(KeyManager km) {
    List<String> endpoints = new ArrayList<>();
    for (int i = 1; i <= devices; i++) {
      String ep = String.format("demo-%04d", i);
      if (km.admin().device(ep).isEmpty() && bootstrap) {
        km.admin()
            .addBootstrapDevice(ep, ep + "-factory", factoryKey(), CredentialAdmin.cliActor());
      } else if (km.admin().device(ep).isEmpty()) {
        km.admin().addDeviceWithNewPsk(ep, ep, CredentialAdmin.cliActor());
      } else if (bootstrap && km.bootstrapCredentials().byEndpoint(ep).isEmpty()) {
        km.admin().setBootstrapPsk(ep, ep + "-factory", factoryKey(), CredentialAdmin.cliActor());
      }
      km.admin().assign(ep, ENABLER_FQDN, CredentialAdmin.cliActor());
      endpoints.add(ep);
    }
    return endpoints;
  }

  private static byte[] factoryKey() {
    byte[] key = new byte[16];
    new java.security.SecureRandom().nextBytes(key);
    return key;
  }

  private static BootstrapServer bootstrapServer(KeyManager km, DmServer dm) {
    BootstrapServer bs =
        BootstrapServer.builder()
            .credentials(km.bootstrapCredentials())
            .audit(km.audit())
            .coapsAddress(LOOPBACK)
            .dmServer(dm.coapsUri())
            .provisioning(km.admin(), km.ledger())
            .build();
    bs.start();
    return bs;
  }

  private Outcome simulate(
      ClientHost host, DmServer dm, BootstrapServer bs, String ep, String enablerUri) {
    boolean reg = false;
    boolean prov = false;
    boolean hs = false;
    CountDownLatch registration = new CountDownLatch(1);
    CountDownLatch parameters = new CountDownLatch(1);
    CountDownLatch report = reported.computeIfAbsent(ep, e -> new CountDownLatch(1));
    Path state = store.dataDir.resolve("demo-devices").resolve(ep + ".state");
    DeviceClient.Builder builder = DeviceClient.builder().host(host).endpoint(ep).stateFile(state);
    if (bs != null) {
      // from the factory every run: the DM server's port changed since the last one
      deleteQuietly(state);
      DmPsk factory = store.keyManager.bootstrapCredentials().byEndpoint(ep).orElseThrow();
      builder.bootstrap(bs.coapsUri(), factory.identity(), factory.key());
    } else {
      byte[] psk = store.keyManager.dmCredentials().byEndpoint(ep).orElseThrow().key();
      builder.dmServer(dm.coapsUri()).dmPsk(ep, psk);
    }
    try (DeviceClient device = builder.build()) {
      device.onRegistration(
          ok -> {
            if (ok) {
              registration.countDown();
            }
          });
      device.onParametersChanged(
          s -> {
            if (current(s, enablerUri)) {
              parameters.countDown();
            }
          });
      device.start();
      long deadline = System.nanoTime() + timeout.toNanos();
      if (!registration.await(remaining(deadline), TimeUnit.NANOSECONDS)) {
        return fail(ep, false, false, false, "did not register within " + timeout);
      }
      reg = true;
      registered.incrementAndGet();
      if (device.enablerParameters().stream().noneMatch(s -> current(s, enablerUri))
          && !parameters.await(remaining(deadline), TimeUnit.NANOSECONDS)) {
        return fail(ep, true, false, false, "no Enabler parameters within " + timeout);
      }
      prov = true;
      provisioned.incrementAndGet();
      ConnectionResult result = device.connector().connect(ENABLER_FQDN);
      if (!result.success()) {
        return fail(ep, true, true, false, "Enabler handshake failed: " + result.detail());
      }
      hs = true;
      connected.incrementAndGet();
      if (!report.await(remaining(deadline), TimeUnit.NANOSECONDS)) {
        return fail(ep, true, true, true, "connection result did not reach the server");
      }
      return new Outcome(ep, true, true, true, true, "");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return fail(ep, reg, prov, hs, "interrupted");
    } catch (RuntimeException e) {
      return fail(ep, reg, prov, hs, e.getMessage());
    }
  }

  private static void deleteQuietly(Path file) {
    try {
      java.nio.file.Files.deleteIfExists(file);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static boolean current(EnablerSecurityState s, String enablerUri) {
    return s.nafFqdn().equals(ENABLER_FQDN) && s.hasKey() && s.enablerUri().equals(enablerUri);
  }

  private static long remaining(long deadline) {
    return Math.max(0, deadline - System.nanoTime());
  }

  private Outcome fail(String ep, boolean reg, boolean prov, boolean hs, String reason) {
    failed.incrementAndGet();
    return new Outcome(ep, reg, prov, hs, false, reason);
  }

  /** Rewrites one progress line every 250 ms until stopped. */
  private final class ScheduledProgress {
    private final java.util.concurrent.ScheduledExecutorService timer =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "keyprov-demo-progress");
              t.setDaemon(true);
              return t;
            });

    ScheduledProgress() {
      timer.scheduleAtFixedRate(this::print, 0, 250, TimeUnit.MILLISECONDS);
    }

    private void print() {
      out.printf(
          "\rdevices %d · registered %d · provisioned %d · Enabler handshake OK %d · failed %d   ",
          devices, registered.get(), provisioned.get(), connected.get(), failed.get());
      out.flush();
    }

    void stop() {
      timer.shutdownNow();
      print();
      out.println();
    }
  }

  static Path defaultDataDir() {
    return Path.of("keyprov-demo-data");
  }
}
