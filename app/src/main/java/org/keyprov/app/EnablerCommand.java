package org.keyprov.app;

import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.keyprov.enabler.Enabler;
import org.keyprov.keys.EnablerProfile;
import org.keyprov.keys.InvalidationFeed;
import org.keyprov.keys.PskLookup;
import org.keyprov.keys.gba.NafId;
import org.keyprov.keys.gba.UaSecurityProtocolId;
import org.keyprov.keys.zn.KeyManagerUnavailableException;
import org.keyprov.keys.zn.RemotePskLookup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "enabler",
    mixinStandardHelpOptions = true,
    description = {
      "Runs a reference Enabler: DTLS-PSK (CoAPs, /whoami) and PSK-TLS (TCP, line echo) endpoints that ask the Key Manager for each handshake's key.",
      "Remote (the normal deployment): --key-manager https://host:8443 --key-manager-cert https-cert.pem --credential-file FILE.",
      "Co-located (same machine as the server): --data-dir DIR, keys read from the server's database."
    })
final class EnablerCommand implements Callable<Integer> {
  private static final org.slf4j.Logger LOG =
      org.slf4j.LoggerFactory.getLogger(EnablerCommand.class);
  static final String CREDENTIAL_ENV = "KEYPROV_ENABLER_CREDENTIAL";

  @Spec picocli.CommandLine.Model.CommandSpec spec;
  @Mixin StorageOptions storage;

  @Option(names = "--fqdn", required = true, description = "This Enabler's NAF FQDN.")
  String fqdn;

  @Option(
      names = "--ua",
      description =
          "Ua security protocol id, 10 hex digits (default: 030001c0a8; co-located mode reads it from the Enabler's profile).")
  String ua;

  @Option(names = "--key-manager", description = "Key Manager lookup API, https://host:port.")
  URI keyManager;

  @Option(
      names = "--key-manager-cert",
      description = "The Key Manager's certificate (its https-cert.pem), the only one trusted.")
  Path keyManagerCert;

  @Option(
      names = "--credential-file",
      description = "File holding this Enabler's credential (or set " + CREDENTIAL_ENV + ").")
  Path credentialFile;

  @Option(
      names = "--bind",
      defaultValue = "127.0.0.1",
      description =
          "Address to listen on (default: ${DEFAULT-VALUE}, this machine only; 0.0.0.0 for every"
              + " interface, so devices elsewhere reach it).")
  String bind;

  @Option(
      names = "--coaps-port",
      defaultValue = "5784",
      description = "CoAPs (DTLS-PSK) port; -1 for none (default: ${DEFAULT-VALUE}).")
  int coapsPort;

  @Option(
      names = "--tls-port",
      defaultValue = "4433",
      description = "PSK-TLS (TCP) port; -1 for none (default: ${DEFAULT-VALUE}).")
  int tlsPort;

  @Option(
      names = "--lookup-timeout",
      defaultValue = "PT2S",
      description = "Longest a handshake waits for the Key Manager (default: ${DEFAULT-VALUE}).")
  Duration lookupTimeout;

  @Option(
      names = "--cache-ttl",
      defaultValue = "PT30S",
      description =
          "Reuse a granted key this long; also the longest a revoked key keeps working here; PT0S turns the cache off (default: ${DEFAULT-VALUE}).")
  Duration cacheTtl;

  @Option(
      names = "--dtls-handshake-rate",
      defaultValue = "5000",
      description =
          "New DTLS sessions per second accepted, sustained; sizes Scandium's connection table to 150 s of them (default: ${DEFAULT-VALUE}).")
  int dtlsHandshakeRate;

  @Mixin ManagementOptions managementOptions;

  @Override
  public Integer call() throws Exception {
    if (coapsPort >= 0) {
      Ports.check("--coaps-port", coapsPort);
    }
    if (tlsPort >= 0) {
      Ports.check("--tls-port", tlsPort);
    }
    if (dtlsHandshakeRate < 1 || dtlsHandshakeRate > 10_000_000) {
      throw new UsageException(
          "--dtls-handshake-rate "
              + dtlsHandshakeRate
              + ": give new DTLS sessions per second, from 1 to 10000000");
    }
    if (keyManager != null) {
      RemotePskLookup remote = remoteLookup();
      try {
        remote.check();
      } catch (KeyManagerUnavailableException e) {
        throw new UsageException("--key-manager " + keyManager + ": " + e.getMessage());
      }
      // a cheap authenticated call every 30 s keeps a TLS connection to the Key Manager open, so
      // the first handshake after a quiet hour does not pay for a new one within its timeout
      ScheduledExecutorService warm =
          Executors.newSingleThreadScheduledExecutor(
              r -> {
                Thread t = new Thread(r, "keyprov-enabler-keep-warm");
                t.setDaemon(true);
                return t;
              });
      warm.scheduleWithFixedDelay(() -> keepWarm(remote), 30, 30, TimeUnit.SECONDS);
      try {
        return run(
            remoteNafId(),
            remote,
            remote.invalidations(),
            () -> {
              remote.check();
              return null;
            });
      } finally {
        warm.shutdownNow();
      }
    }
    try (Storage store = storage.open()) {
      EnablerProfile profile =
          store
              .keyManager
              .admin()
              .enabler(fqdn)
              .orElseThrow(
                  () ->
                      new UsageException(
                          "no Enabler '"
                              + fqdn
                              + "' in "
                              + store.dataDir
                              + "; add it first: keyprov admin add-enabler --fqdn "
                              + fqdn
                              + " --uri coaps://<host>:"
                              + coapsPort));
      return run(
          profile.nafId(),
          store.keyManager.lookup(),
          store.keyManager.invalidations(),
          store::databaseProblem);
    }
  }

  private static void keepWarm(RemotePskLookup remote) {
    try {
      remote.check();
    } catch (KeyManagerUnavailableException e) {
      LOG.warn("the Key Manager does not answer: {}", e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private NafId remoteNafId() {
    UaSecurityProtocolId uaId =
        ua == null
            ? UaSecurityProtocolId.omaPskTls(EnablerProfile.TLS_PSK_WITH_AES_128_CCM_8)
            : AdminCommand.parseUa(ua);
    return new NafId(fqdn, uaId);
  }

  private RemotePskLookup remoteLookup() throws Exception {
    if (keyManagerCert == null) {
      throw new UsageException(
          "--key-manager needs --key-manager-cert (the server's https-cert.pem)");
    }
    String credential = System.getenv(CREDENTIAL_ENV);
    if (credentialFile != null) {
      if (!Files.isReadable(credentialFile)) {
        throw new UsageException("--credential-file " + credentialFile + " cannot be read");
      }
      credential = Files.readString(credentialFile).trim();
    }
    if (credential == null || credential.isBlank()) {
      throw new UsageException(
          "give the Enabler's credential with --credential-file or "
              + CREDENTIAL_ENV
              + " (create one with: keyprov enabler-credential create --naf-fqdn "
              + fqdn
              + ")");
    }
    try {
      return RemotePskLookup.builder()
          .keyManager(keyManager)
          .certificate(HttpsIdentity.readPem(keyManagerCert))
          .credential(credential)
          .timeout(lookupTimeout)
          .build();
    } catch (IllegalArgumentException e) {
      throw new UsageException("--key-manager: " + e.getMessage());
    }
  }

  /**
   * Serves until stopped, its keys from {@code lookup}; {@code keyManager} says what is wrong with
   * where they come from, for {@code /readyz}.
   */
  private int run(
      NafId nafId, PskLookup lookup, InvalidationFeed invalidations, Readiness.Check keyManager)
      throws Exception {
    if (coapsPort < 0 && tlsPort < 0) {
      throw new UsageException("--coaps-port and --tls-port are both off: nothing to serve");
    }
    java.util.Optional<Integer> management = managementOptions.port(storage.dataDir);
    Enabler.Builder builder = Enabler.builder();
    try (Meters meters = management.isEmpty() ? null : new Meters("keyprov-enabler", null);
        Readiness readiness = new Readiness()) {
      if (meters != null) {
        builder.meters(meters.registry);
      }
      return serve(
          builder, nafId, lookup, invalidations, keyManager, management, meters, readiness);
    }
  }

  private int serve(
      Enabler.Builder builder,
      NafId nafId,
      PskLookup lookup,
      InvalidationFeed invalidations,
      Readiness.Check keyManager,
      java.util.Optional<Integer> management,
      Meters meters,
      Readiness readiness)
      throws Exception {
    try (Enabler enabler =
            builder
                .nafId(nafId)
                .lookup(lookup)
                .invalidations(invalidations)
                .coapsAddress(coapsPort < 0 ? null : new InetSocketAddress(bind, coapsPort))
                .tlsAddress(tlsPort < 0 ? null : new InetSocketAddress(bind, tlsPort))
                .lookupTimeout(lookupTimeout)
                .cacheTtl(cacheTtl)
                .dtlsHandshakesPerSecond(dtlsHandshakeRate)
                .build();
        ManagementServer ops =
            meters == null
                ? null
                : new ManagementServer(
                    new InetSocketAddress(bind, management.get()), meters.registry, readiness)) {
      readiness
          .check("enabler", () -> enabler.running() ? null : "the Enabler is not running")
          .check("key-manager", keyManager);
      enabler.start();
      if (ops != null) {
        Ports.listen(
            "--management-port", new InetSocketAddress(bind, management.get()), ops::start);
      }
      PrintWriter out = spec.commandLine().getOut();
      out.printf(
          "keyprov enabler: %s (NAF_Id %s)%s%s, keys from %s%s%n",
          fqdn,
          nafId,
          coapsPort < 0 ? "" : " DTLS-PSK at " + enabler.coapsUri(),
          tlsPort < 0 ? "" : " PSK-TLS at " + enabler.tlsUri(),
          this.keyManager == null ? storage.dataDir : this.keyManager,
          (ops == null ? "" : "; metrics and probes at " + ops.uri() + "/metrics")
              + (ServerCommand.loopbackOnly(bind)
                  ? "; listening on this machine only: --bind 0.0.0.0 (or an address) serves"
                      + " devices elsewhere"
                  : ""));
      out.flush();
      ServerCommand.awaitShutdown();
    }
    return 0;
  }
}
