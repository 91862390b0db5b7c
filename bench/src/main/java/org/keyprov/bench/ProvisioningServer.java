package org.keyprov.bench;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
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
import org.keyprov.keys.NewDevice;
import org.keyprov.models.EnablerSecurityObject;
import org.keyprov.models.KeyprovModels;
import org.keyprov.server.DmServer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The server side of the provisioning benchmark, in its own JVM: keyprov or bare Leshan. */
@Command(name = "provisioning-server", hidden = true)
final class ProvisioningServer extends BenchCommand implements Callable<Integer> {
  static long heapAfterGc() {
    for (int i = 0; i < 3; i++) {
      System.gc();
    }
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }

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
      keys.km.admin().putEnabler(Bench.enabler(), "bench");
      List<NewDevice> list = new ArrayList<>();
      for (int i = 0; i < devices; i++) {
        list.add(
            new NewDevice(
                ProvisioningBench.endpoint(i),
                ProvisioningBench.endpoint(i),
                ProvisioningBench.psk(ProvisioningBench.endpoint(i))));
      }
      keys.km.admin().addDevices(list, "bench");
      for (int i = 0; i < devices; i++) {
        keys.km.admin().assign(ProvisioningBench.endpoint(i), Bench.FQDN, "bench");
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
    long heapReady = heapAfterGc();
    boolean perThread = System.getenv("KEYPROV_BENCH_THREADS") != null;
    Map<String, Long> threadsReady = perThread ? ThreadCpu.ticks() : Map.of();
    out()
        .printf(
            "READY %s %d %d %d%n",
            uri, heapReady, Bench.processCpuNanos(), ThreadCpu.jitAndGcNanos());
    out().flush();
    BufferedReader in =
        new BufferedReader(new InputStreamReader(System.in, StandardCharsets.US_ASCII));
    String line;
    while ((line = in.readLine()) != null) {
      if (line.equals("heap")) {
        long cpu = Bench.processCpuNanos(); // before the GCs that measure the heap
        long jitAndGc = ThreadCpu.jitAndGcNanos();
        if (perThread) {
          // on stderr, beside the line protocol on stdout, which the orchestrator reads
          java.io.PrintWriter err = spec.commandLine().getErr();
          ThreadCpu.ticks()
              .forEach(
                  (k, v) ->
                      err.printf(
                          "THREADS %-20s %6d ms%n",
                          k, (v - threadsReady.getOrDefault(k, 0L)) * 10));
          err.flush();
        }
        long heap = heapAfterGc();
        // CPU before the GCs (what the work so far cost) and after them (where more work starts),
        // and the same for the JIT compilers' and the GC's share
        out()
            .printf(
                "HEAP %d %d %d %d %d%n",
                heap, cpu, Bench.processCpuNanos(), jitAndGc, ThreadCpu.jitAndGcNanos());
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
      security.add(
          SecurityInfo.newPreSharedKeyInfo(
              ProvisioningBench.endpoint(i),
              ProvisioningBench.endpoint(i),
              ProvisioningBench.psk(ProvisioningBench.endpoint(i))));
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
                  Registration reg, Registration previous, java.util.Collection<Observation> obs) {
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
