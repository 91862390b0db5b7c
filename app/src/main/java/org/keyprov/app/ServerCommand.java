package org.keyprov.app;

import java.net.InetSocketAddress;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.keyprov.server.DmServer;
import org.keyprov.server.bootstrap.BootstrapServer;
import org.keyprov.server.cluster.RedisCluster;
import org.keyprov.web.WebServer;
import org.keyprov.web.api.ApiHandler;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "server",
    mixinStandardHelpOptions = true,
    description = "Runs the Key Manager and its LwM2M DM server until stopped (Ctrl-C).")
final class ServerCommand implements Callable<Integer> {
  private static final java.time.Duration REDIS_TIMEOUT = java.time.Duration.ofSeconds(5);

  @Spec picocli.CommandLine.Model.CommandSpec spec;
  @Mixin StorageOptions storage;

  @Option(
      names = "--bind",
      defaultValue = "127.0.0.1",
      description =
          "Address to listen on (default: ${DEFAULT-VALUE}, this machine only; 0.0.0.0 for every"
              + " interface, so devices and Enablers elsewhere reach it).")
  String bind;

  @Option(
      names = "--coaps-port",
      defaultValue = "5684",
      description = "CoAPs (DTLS-PSK) port devices register at (default: ${DEFAULT-VALUE}).")
  int coapsPort;

  @Option(
      names = "--coap-port",
      description = "Also accept plain CoAP, without security, on this port. Off by default.")
  Integer coapPort;

  @Option(
      names = "--dtls-sessions",
      defaultValue = "150000",
      description =
          "DTLS sessions the DM server keeps, i.e. devices connected at once; new sessions are accepted at up to 1/140 of it per second (default: ${DEFAULT-VALUE}).")
  int dtlsSessions;

  @Option(
      names = "--bootstrap-port",
      description =
          "Also run the LwM2M bootstrap server, CoAPs (DTLS-PSK), on this port: devices with a"
              + " factory bootstrap credential get their DM server account there. Off by default.")
  Integer bootstrapPort;

  @Option(
      names = "--bootstrap-dm-uri",
      paramLabel = "URI",
      description =
          "The DM server as devices reach it, coaps://HOST:PORT, written to them at bootstrap"
              + " (default: the DM server's own address; needed when --bind is 0.0.0.0).")
  java.net.URI bootstrapDmUri;

  @Option(
      names = "--rotate-dm-psk-after",
      paramLabel = "AGE",
      description =
          "With --bootstrap-port: rotate the DM PSK of every device with a factory bootstrap"
              + " credential once it is this old, e.g. 90d (default: only when asked).")
  java.time.Duration rotateDmPskAfter;

  @Option(
      names = "--https-port",
      defaultValue = "8443",
      description = "HTTPS port of the Enabler lookup API (default: ${DEFAULT-VALUE}).")
  int httpsPort;

  @Option(
      names = "--lookup-port",
      description =
          "Also serve the Enabler lookup API (only it) on this HTTPS port, with threads of its own,"
              + " so operator traffic never delays a handshake; point Enablers' --key-manager at it."
              + " Off by default (the lookup API is on --https-port).")
  Integer lookupPort;

  @Option(
      names = "--https-host",
      description = "Extra host name or IP for the HTTPS certificate made on first start; repeat.")
  java.util.List<String> httpsHosts = new java.util.ArrayList<>();

  @Option(
      names = "--redis-url",
      paramLabel = "URL",
      description =
          "Redis that several keyprov servers on one PostgreSQL database share LwM2M registrations"
              + " in, redis://HOST[:PORT][/DATABASE] (default: "
              + RedisSettings.URL_ENV
              + ", else redis.url in DATA_DIR/"
              + SettingsFile.NAME
              + ", else none). Its password comes from "
              + RedisSettings.PASSWORD_ENV
              + " or redis.password in that file.")
  String redisUrl;

  @Option(
      names = "--node",
      paramLabel = "NAME",
      description =
          "This server's name among the nodes sharing Redis, kept across restarts (default: "
              + NodeName.ENV
              + ", else node.name in DATA_DIR/"
              + SettingsFile.NAME
              + ", else HOST-COAPS_PORT). Restarted under the same name, it keeps its devices'"
              + " DTLS sessions and observations.")
  String node;

  @Mixin ManagementOptions managementOptions;

  @Override
  @SuppressWarnings("try") // the data directory's lock is held, not used
  public Integer call() throws Exception {
    Ports.check("--coaps-port", coapsPort);
    Ports.check("--https-port", httpsPort);
    if (lookupPort != null) {
      Ports.check("--lookup-port", lookupPort);
    }
    if (bootstrapPort != null) {
      Ports.check("--bootstrap-port", bootstrapPort);
    } else if (rotateDmPskAfter != null || bootstrapDmUri != null) {
      throw new UsageException(
          (rotateDmPskAfter != null ? "--rotate-dm-psk-after" : "--bootstrap-dm-uri")
              + " is for the bootstrap server: give --bootstrap-port too");
    }
    if (rotateDmPskAfter != null && (rotateDmPskAfter.isNegative() || rotateDmPskAfter.isZero())) {
      throw new UsageException("--rotate-dm-psk-after must be positive, e.g. 90d");
    }
    if (bootstrapPort != null && bootstrapDmUri == null && wildcard(bind)) {
      throw new UsageException(
          "--bind "
              + bind
              + " names no address devices can reach, and the bootstrap server must tell them"
              + " where the DM server is: give --bootstrap-dm-uri coaps://HOST:"
              + coapsPort);
    }
    if (dtlsSessions < 1) {
      throw new UsageException(
          "--dtls-sessions "
              + dtlsSessions
              + ": give the number of DTLS sessions to keep, at least 1");
    }
    java.util.Optional<RedisSettings> redisSettings =
        RedisSettings.resolve(storage.dataDir, redisUrl, System.getenv());
    String nodeName =
        redisSettings.isEmpty()
            ? null
            : NodeName.resolve(storage.dataDir, node, System.getenv(), coapsPort);
    java.util.Optional<Integer> management = managementOptions.port(storage.dataDir);
    try (Storage store = storage.open();
        DataDirLock lock = DataDirLock.acquire(store.dataDir);
        RedisCluster redis = redisSettings.map(r -> connect(r, store, nodeName)).orElse(null);
        // always counted: the dashboard charts them; /metrics only with --management-port
        Meters meters = new Meters("keyprov-server", nodeName);
        Readiness readiness = new Readiness()) {
      DmServer.Builder builder =
          DmServer.builder()
              .credentials(store.keyManager.dmCredentials())
              .admin(store.keyManager.admin())
              .ledger(store.keyManager.ledger())
              .invalidations(store.keyManager.invalidations())
              .audit(store.keyManager.audit())
              .coapsAddress(new InetSocketAddress(bind, coapsPort))
              .dtlsSessions(dtlsSessions);
      byte[] sessionKey = store.masterKey.derive("keyprov dm-dtls-sessions");
      builder.sessionFile(store.dataDir.resolve(SESSION_FILE), sessionKey); // copies it
      java.util.Arrays.fill(sessionKey, (byte) 0);
      if (store.shared) {
        // other keyprov servers may provision from the same database
        builder.leases(store.keyManager.leases(), Storage.nodeName());
      }
      store.meterInto(meters.registry);
      builder.meters(meters.registry);
      if (redis != null) {
        byte[] relayKey = store.masterKey.derive("keyprov relayed-requests");
        builder.redis(redis, nodeName, relayKey); // copies it
        java.util.Arrays.fill(relayKey, (byte) 0);
      }
      if (coapPort != null) {
        Ports.check("--coap-port", coapPort);
        builder.coapAddress(new InetSocketAddress(bind, coapPort));
      }
      HttpsIdentity https = HttpsIdentity.loadOrCreate(store.dataDir, store.masterKey, httpsHosts);
      ServerPage page =
          new ServerPage(
              https.certificate,
              nodeName,
              store.shared
                  ? "PostgreSQL (shared)"
                  : "H2 file " + store.dataDir.resolve("keyprov.mv.db").toAbsolutePath());
      org.keyprov.web.api.LocalAdmin localAdmin = LocalAdminFile.newAdmin(store);
      try (DmServer dm = builder.build();
          WebServer web =
              webServer(
                  store.keyManager,
                  dm,
                  https,
                  new InetSocketAddress(bind, httpsPort),
                  meters.registry,
                  page::info,
                  lookupPort == null ? null : new InetSocketAddress(bind, lookupPort),
                  localAdmin,
                  LocalAdminFile.socket(store.dataDir).orElse(null));
          ManagementServer ops =
              management.isEmpty()
                  ? null
                  : new ManagementServer(
                      new InetSocketAddress(bind, management.get()), meters.registry, readiness)) {
        readiness.check("database", store::databaseProblem);
        if (redis != null) {
          readiness.check("redis", redis::problem);
        }
        readiness
            .check("dm", () -> dm.running() ? null : "the DM server is not running")
            .check("https", () -> web.running() ? null : "the HTTPS server is not running");
        dm.start();
        // the DM server's URI is known once it is bound (--coaps-port 0)
        try (BootstrapServer bs =
            bootstrapPort == null ? null : bootstrapServer(store, dm.coapsUri(), meters)) {
          if (bs != null) {
            readiness.check(
                "bootstrap", () -> bs.running() ? null : "the bootstrap server is not running");
            Ports.listen("--bootstrap-port", new InetSocketAddress(bind, bootstrapPort), bs::start);
          }
          Ports.listen("--https-port", new InetSocketAddress(bind, httpsPort), web::start);
          // admin commands on this host now run here, over the API (deleted when the server stops)
          LocalAdminFile adminFile =
              LocalAdminFile.write(
                  store.dataDir,
                  web.uri(),
                  web.adminSocket().orElse(null),
                  https.certificate,
                  localAdmin);
          page.endpoint("DM server (CoAPs, DTLS-PSK)", dm.coapsUri());
          if (coapPort != null) {
            page.endpoint(
                "DM server (plain CoAP)", dm.uri(org.eclipse.leshan.core.endpoint.Protocol.COAP));
          }
          if (bs != null) {
            page.endpoint("Bootstrap server (CoAPs, DTLS-PSK)", bs.coapsUri());
          }
          page.endpoint("Operator UI, REST API and Enabler lookup (HTTPS)", web.uri());
          web.lookupUri().ifPresent(u -> page.endpoint("Enabler lookup, own threads (HTTPS)", u));
          if (ops != null) {
            Ports.listen(
                "--management-port", new InetSocketAddress(bind, management.get()), ops::start);
            page.endpoint("Metrics and probes (HTTP)", ops.uri());
          }
          spec.commandLine()
              .getOut()
              .printf(
                  "keyprov server: DM server at %s;%s operator UI, REST API (/api/v1) and Enabler lookup API at %s/ (certificate %s); %sdata in %s%s%n",
                  dm.coapsUri(),
                  bs == null ? "" : " bootstrap server at " + bs.coapsUri() + ";",
                  web.uri(),
                  https.certificateFile.toAbsolutePath(),
                  ops == null ? "" : "metrics and probes at " + ops.uri() + "/metrics; ",
                  store.dataDir.toAbsolutePath(),
                  loopbackOnly(bind)
                      ? "; listening on this machine only: --bind 0.0.0.0 (or an address) serves"
                          + " others"
                      : "");
          store
              .keyManager
              .operators()
              .createInitialAdmin()
              .ifPresent(
                  password ->
                      spec.commandLine()
                          .getOut()
                          .printf(
                              "first start: operator 'admin' created; password (shown once, change"
                                  + " it after logging in): %s%n",
                              password));
          spec.commandLine().getOut().flush();
          try {
            awaitShutdown();
          } finally {
            adminFile.delete();
          }
        }
      }
    }
    return 0;
  }

  /**
   * The bootstrap server, built (not started): it writes the DM server's URI as devices reach it.
   */
  private BootstrapServer bootstrapServer(Storage store, java.net.URI dmServer, Meters meters) {
    java.net.URI dmUri = bootstrapDmUri != null ? bootstrapDmUri : dmServer;
    try {
      BootstrapServer.Builder bs = BootstrapServer.builder();
      if (meters != null) {
        bs.meters(meters.registry);
      }
      if (wildcard(bind)) {
        // a new factory credential names this server as devices reach it: the DM server's host
        bs.publicUri(
            new java.net.URI("coaps", null, dmUri.getHost(), bootstrapPort, null, null, null));
      }
      return bs.rotateDmPskAfter(rotateDmPskAfter)
          .provisioning(store.keyManager.admin(), store.keyManager.ledger())
          .credentials(store.keyManager.bootstrapCredentials())
          .audit(store.keyManager.audit())
          .coapsAddress(new InetSocketAddress(bind, bootstrapPort))
          .dmServer(dmUri)
          .build();
    } catch (IllegalArgumentException | java.net.URISyntaxException e) {
      throw new UsageException("--bootstrap-dm-uri: " + e.getMessage());
    }
  }

  private static boolean wildcard(String bind) {
    try {
      return java.net.InetAddress.getByName(bind).isAnyLocalAddress();
    } catch (java.net.UnknownHostException e) {
      return false;
    }
  }

  static boolean loopbackOnly(String bind) {
    try {
      return java.net.InetAddress.getByName(bind).isLoopbackAddress();
    } catch (java.net.UnknownHostException e) {
      return false;
    }
  }

  /** Where the DM server's DTLS sessions wait, sealed, while it restarts. */
  private static final String SESSION_FILE = "dm-dtls-sessions.sealed";

  private static RedisCluster connect(RedisSettings settings, Storage store, String node) {
    if (!store.shared) {
      throw new UsageException(
          "Redis ("
              + settings.url()
              + ") is for several keyprov servers sharing one PostgreSQL database, but this one"
              + " is on the H2 file in "
              + store.dataDir
              + ": give --db-url too, or leave Redis out");
    }
    RedisCluster redis;
    try {
      redis = RedisCluster.connect(settings.url(), settings.password(), REDIS_TIMEOUT);
    } catch (IllegalStateException e) {
      throw new CannotStartException(e.getMessage() + "; start it or correct the Redis URL", e);
    }
    try {
      redis.claimNode(node, Storage.nodeName());
      return redis;
    } catch (IllegalStateException e) {
      redis.close();
      throw new CannotStartException(e.getMessage(), e);
    } catch (InterruptedException e) {
      redis.close();
      Thread.currentThread().interrupt();
      throw new CannotStartException("interrupted while claiming node name " + node, e);
    }
  }

  /** Threads of the Enablers' own lookup port (--lookup-port). */
  private static final int LOOKUP_THREADS = 32;

  /** The Key Manager's HTTPS server: Enabler lookup API, operator REST API and UI. */
  static WebServer webServer(
      org.keyprov.keys.KeyManager km,
      DmServer dm,
      HttpsIdentity https,
      InetSocketAddress address,
      io.micrometer.core.instrument.MeterRegistry meters,
      java.util.function.Supplier<org.keyprov.web.api.ServerInfo> info,
      InetSocketAddress lookup,
      org.keyprov.web.api.LocalAdmin local,
      java.nio.file.Path adminSocket) {
    WebServer.Builder web = WebServer.builder();
    if (adminSocket != null && local != null) {
      web.adminSocket(adminSocket);
    }
    if (lookup != null) {
      web.lookupConnector(lookup, LOOKUP_THREADS);
    }
    if (meters != null) {
      web.meters(meters);
    }
    return web.lookup(km.lookup())
        .credentials(km.enablerCredentials())
        .invalidations(km.invalidations())
        .audit(km.audit())
        .address(address)
        .tls(https.keyStore, https.password)
        .handler(new ApiHandler(km, dm, java.time.Clock.systemUTC(), info, local, meters))
        .handler(new org.keyprov.web.StaticHandler())
        .build();
  }

  /** Counted down by {@link Main#main} once the command has returned, everything closed. */
  private static final CountDownLatch CLOSED = new CountDownLatch(1);

  /** How long a stopping JVM waits for the command to close (the DM server saves its sessions). */
  private static final long CLOSE_SECONDS = 30;

  /**
   * Blocks until the JVM is asked to stop (SIGTERM, Ctrl-C). The JVM halts once its shutdown hooks
   * end, so the hook waits (up to {@value #CLOSE_SECONDS} s) for the command to close what it
   * opened: without that, a clean stop would lose what closing saves.
   */
  static void awaitShutdown() throws InterruptedException {
    CountDownLatch stop = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  stop.countDown();
                  try {
                    CLOSED.await(CLOSE_SECONDS, java.util.concurrent.TimeUnit.SECONDS);
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                },
                "keyprov-shutdown"));
    stop.await();
  }

  /** The command returned: a stopping JVM may halt now. */
  static void closed() {
    CLOSED.countDown();
  }
}
