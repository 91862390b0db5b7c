package org.keyprov.bench;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.eclipse.leshan.core.endpoint.Protocol;
import org.eclipse.leshan.core.node.LwM2mMultipleResource;
import org.eclipse.leshan.core.node.LwM2mObjectInstance;
import org.eclipse.leshan.core.node.LwM2mSingleResource;
import org.eclipse.leshan.core.observation.Observation;
import org.eclipse.leshan.core.request.CreateRequest;
import org.eclipse.leshan.server.LeshanServer;
import org.eclipse.leshan.server.LeshanServerBuilder;
import org.eclipse.leshan.server.californium.endpoint.CaliforniumServerEndpointsProvider;
import org.eclipse.leshan.server.californium.endpoint.coaps.CoapsServerProtocolProvider;
import org.eclipse.leshan.server.model.VersionedModelProvider;
import org.eclipse.leshan.server.registration.Registration;
import org.eclipse.leshan.server.registration.RegistrationListener;
import org.eclipse.leshan.server.registration.RegistrationUpdate;
import org.eclipse.leshan.server.security.InMemorySecurityStore;
import org.eclipse.leshan.server.security.SecurityInfo;
import org.keyprov.client.DeviceClient;
import org.keyprov.keys.NewDevice;
import org.keyprov.models.EnablerSecurityObject;
import org.keyprov.models.KeyprovModels;
import org.keyprov.server.DmServer;
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
    out().println(Bench.machine());
    Map<String, List<Double>> rates = new LinkedHashMap<>();
    Map<String, List<Double>> heaps = new LinkedHashMap<>();
    for (int run = 1; run <= runs; run++) {
      for (String mode : modes) {
        Path dir = Files.createTempDirectory("keyprov-prov-bench");
        Process server =
            Bench.child(
                "provisioning-server",
                "--mode",
                mode,
                "--devices",
                String.valueOf(devices),
                "--store",
                dir.toString());
        BufferedReader sin =
            new BufferedReader(
                new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8));
        String[] ready = Bench.await(sin, "READY").split(" ");
        URI uri = URI.create(ready[1]);
        long heapBefore = Long.parseLong(ready[2]);
        double seconds;
        long done;
        boolean all;
        List<DeviceClient> clients = new ArrayList<>();
        List<Process> clientJvms = new ArrayList<>();
        if (clientProcesses <= 1) {
          CountDownLatch provisioned = new CountDownLatch(devices);
          for (int i = 0; i < devices; i++) {
            clients.add(client(i, uri, dir, provisioned));
          }
          long start = System.nanoTime();
          clients.forEach(DeviceClient::start);
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
                    timeout.toString());
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
        server.getOutputStream().write("heap\n".getBytes(StandardCharsets.US_ASCII));
        server.getOutputStream().flush();
        long heapAfter = Long.parseLong(Bench.await(sin, "HEAP").split(" ")[1]);
        clients.parallelStream().forEach(c -> c.close());
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
        out()
            .printf(
                "run %d %-8s %d/%d provisioned in %.2f s = %.1f devices/s%s; server heap +%.1f KiB/device%n",
                run,
                mode,
                done,
                devices,
                seconds,
                rate,
                all ? "" : " (TIMED OUT)",
                perDevice / 1024);
      }
    }
    out().printf("%nsummary (min / median / max over %d runs):%n", runs);
    for (var e : rates.entrySet()) {
      out()
          .printf(
              "  %-8s %s devices/s; heap %s KiB/device%n",
              e.getKey(), Bench.summary(e.getValue()), Bench.summary(heaps.get(e.getKey())));
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

  static DeviceClient client(int i, URI uri, Path dir, CountDownLatch provisioned) {
    String ep = endpoint(i);
    DeviceClient c =
        DeviceClient.builder()
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

    @Override
    public Integer call() throws Exception {
      CountDownLatch provisioned = new CountDownLatch(to - from);
      List<DeviceClient> clients = new ArrayList<>();
      for (int i = from; i < to; i++) {
        clients.add(client(i, server, state, provisioned));
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
      return 0;
    }
  }

  static long heapAfterGc() {
    for (int i = 0; i < 3; i++) {
      System.gc();
    }
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }

  @Command(name = "provisioning-server", hidden = true)
  static final class Server extends BenchCommand implements Callable<Integer> {
    @Option(names = "--mode", required = true)
    String mode;

    @Option(names = "--devices", required = true)
    int devices;

    @Option(names = "--store", required = true)
    Path store;

    @Override
    public Integer call() throws Exception {
      AutoCloseable running;
      URI uri;
      BenchStore keys = null;
      if (mode.equals("keyprov")) {
        keys = BenchStore.open(store, 16);
        keys.km.admin().putEnabler(Bench.enabler());
        List<NewDevice> list = new ArrayList<>();
        for (int i = 0; i < devices; i++) {
          list.add(new NewDevice(endpoint(i), endpoint(i), psk(endpoint(i))));
        }
        keys.km.admin().addDevices(list);
        for (int i = 0; i < devices; i++) {
          keys.km.admin().assign(endpoint(i), Bench.FQDN);
        }
        DmServer dm =
            DmServer.builder()
                .credentials(keys.km.dmCredentials())
                .admin(keys.km.admin())
                .ledger(keys.km.ledger())
                .coapsAddress(Bench.LOOPBACK)
                .requestTimeout(Duration.ofSeconds(30))
                .build();
        dm.start();
        uri = dm.coapsUri();
        running = dm;
      } else {
        LeshanServer bare = bareLeshan();
        bare.start();
        uri = bare.getEndpoint(Protocol.COAPS).getURI();
        running = bare::destroy;
      }
      out().printf("READY %s %d%n", uri, heapAfterGc());
      out().flush();
      BufferedReader in =
          new BufferedReader(new InputStreamReader(System.in, StandardCharsets.US_ASCII));
      String line;
      while ((line = in.readLine()) != null) {
        if (line.equals("heap")) {
          out().printf("HEAP %d%n", heapAfterGc());
          out().flush();
        }
      }
      running.close();
      if (keys != null) {
        keys.close();
      }
      return 0;
    }

    private LeshanServer bareLeshan() throws Exception {
      InMemorySecurityStore security = new InMemorySecurityStore();
      for (int i = 0; i < devices; i++) {
        security.add(SecurityInfo.newPreSharedKeyInfo(endpoint(i), endpoint(i), psk(endpoint(i))));
      }
      CaliforniumServerEndpointsProvider.Builder endpoints =
          new CaliforniumServerEndpointsProvider.Builder(new CoapsServerProtocolProvider());
      endpoints.addEndpoint(Bench.LOOPBACK, Protocol.COAPS);
      LeshanServerBuilder b = new LeshanServerBuilder();
      b.setObjectModelProvider(new VersionedModelProvider(KeyprovModels.loadWithDefaults()));
      b.setSecurityStore(security);
      b.setEndpointsProviders(endpoints.build());
      LeshanServer server = b.build();
      LwM2mObjectInstance payload = samePayload();
      server
          .getRegistrationService()
          .addListener(
              new RegistrationListener() {
                @Override
                public void registered(
                    Registration reg,
                    Registration previous,
                    java.util.Collection<Observation> obs) {
                  server.send(
                      reg,
                      new CreateRequest(EnablerSecurityObject.ID, payload),
                      30_000,
                      r -> {},
                      e -> {});
                }

                @Override
                public void updated(
                    RegistrationUpdate update, Registration updatedReg, Registration previousReg) {}

                @Override
                public void unregistered(
                    Registration reg,
                    java.util.Collection<Observation> obs,
                    boolean expired,
                    Registration newReg) {}
              });
      return server;
    }

    /** The instance keyprov writes, with fixed values. */
    private static LwM2mObjectInstance samePayload() {
      return new LwM2mObjectInstance(
          0,
          List.of(
              LwM2mSingleResource.newStringResource(0, "coaps://127.0.0.1:5784"),
              LwM2mSingleResource.newStringResource(1, Bench.FQDN),
              LwM2mSingleResource.newBinaryResource(
                  2, new byte[] {3, 0, 1, (byte) 0xC0, (byte) 0xA8}),
              LwM2mSingleResource.newStringResource(3, "AAAAAAAAAAAAAAAAAAAAAA==@km.bench"),
              LwM2mSingleResource.newBinaryResource(4, new byte[32]),
              LwM2mSingleResource.newDateResource(
                  5, new Date(System.currentTimeMillis() + 86_400_000L)),
              LwM2mMultipleResource.newStringResource(6, Map.of(0, "coaps://127.0.0.1:5784")),
              LwM2mMultipleResource.newIntegerResource(7, Map.of(0, 0xC0A8L)),
              LwM2mSingleResource.newIntegerResource(8, 1),
              LwM2mSingleResource.newIntegerResource(9, 0)));
    }
  }
}
