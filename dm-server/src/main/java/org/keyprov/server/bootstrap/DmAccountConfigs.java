package org.keyprov.server.bootstrap;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.leshan.core.SecurityMode;
import org.eclipse.leshan.core.request.BindingMode;
import org.eclipse.leshan.server.bootstrap.BootstrapConfig;
import org.eclipse.leshan.server.bootstrap.BootstrapConfigStore;
import org.eclipse.leshan.server.bootstrap.BootstrapSession;
import org.keyprov.keys.BootstrapCredentials;
import org.keyprov.keys.DmPsk;
import org.keyprov.models.EnablerSecurityObject;

/**
 * What the bootstrap server writes to a device: its Security and Server objects are emptied (all
 * but the bootstrap account), then one DM server account is written — the Key Manager's DM server,
 * DTLS-PSK with a DM PSK minted for this session. The Security instance id is chosen after a
 * Bootstrap-Discover, so a client whose bootstrap account is not instance 0 keeps it.
 *
 * <p>Leshan asks for the configuration once per round of requests; it is minted once per session
 * and forgotten when the session ends.
 */
final class DmAccountConfigs implements BootstrapConfigStore {
  private static final org.slf4j.Logger LOG =
      org.slf4j.LoggerFactory.getLogger(DmAccountConfigs.class);

  /** The Key Manager's DM server's Short Server ID on every device it bootstraps. */
  static final int DM_SHORT_SERVER_ID = 1;

  private final BootstrapCredentials credentials;
  private final URI dmServer;
  private final java.util.function.Supplier<URI> bootstrapServer;
  private final Duration lifetime;
  private final Map<String, Minted> sessions = new ConcurrentHashMap<>();

  /**
   * What a session was given: the configuration, the DM PSK's identity, and the Enabler parameters
   * it writes (first bootstrap only).
   */
  record Minted(
      BootstrapConfig config,
      String dmPskIdentity,
      java.util.List<org.keyprov.keys.EnablerParameters> enablers) {}

  /** Where Enabler parameters written at a first bootstrap come from and are recorded; or null. */
  record Provisioning(
      org.keyprov.keys.CredentialAdmin admin, org.keyprov.keys.ProvisioningLedger ledger) {}

  private Provisioning provisioning;

  /** Writes the parameters of Enablers marked "at bootstrap" at a device's first bootstrap. */
  void provisioning(Provisioning provisioning) {
    this.provisioning = provisioning;
  }

  /**
   * @param bootstrapServer this bootstrap server as devices reach it, for a new bootstrap account
   */
  DmAccountConfigs(
      BootstrapCredentials credentials,
      URI dmServer,
      java.util.function.Supplier<URI> bootstrapServer,
      Duration lifetime) {
    this.credentials = credentials;
    this.dmServer = dmServer;
    this.bootstrapServer = bootstrapServer;
    this.lifetime = lifetime;
  }

  @Override
  public BootstrapConfig get(BootstrapSession session) {
    try {
      return sessions.computeIfAbsent(session.getId(), id -> mint(session.getEndpoint())).config();
    } catch (org.keyprov.keys.KeyManagerException e) {
      // deleted since it was authorized, or the database is down: Leshan answers "no config"
      LOG.warn("No bootstrap configuration for {}: {}", session.getEndpoint(), e.getMessage());
      return null;
    }
  }

  /**
   * ... and it alone may touch each instance the device already holds (found by the Bootstrap-
   * Discover that precedes the writes).
   */
  void guard(BootstrapSession session, java.util.List<Integer> instances) {
    Minted minted = sessions.get(session.getId());
    if (minted == null) {
      return;
    }
    int id = 1;
    for (int instance : instances) {
      minted.config().acls.put(id++, ownedByTheDmServer(EnablerSecurityObject.ID, instance));
    }
    if (instances.isEmpty() && provisioning != null) {
      // a first bootstrap: the Enablers marked so get their parameters now, instances 0, 1, …
      for (org.keyprov.keys.EnablerParameters p : atBootstrap(session.getEndpoint())) {
        int instance = minted.enablers().size();
        minted.enablers().add(p);
        minted.config().acls.put(id++, ownedByTheDmServer(EnablerSecurityObject.ID, instance));
      }
    }
  }

  /** The current parameters of the device's Enablers marked "at bootstrap" (not SIM-sourced). */
  private java.util.List<org.keyprov.keys.EnablerParameters> atBootstrap(String endpoint) {
    java.util.List<org.keyprov.keys.EnablerParameters> params = new java.util.ArrayList<>();
    try {
      for (org.keyprov.keys.Assignment a : provisioning.ledger().assignments(endpoint)) {
        boolean marked =
            a.state() != org.keyprov.keys.ProvisioningState.SIM
                && provisioning
                    .admin()
                    .enabler(a.nafFqdn())
                    .map(org.keyprov.keys.EnablerProfile::atBootstrap)
                    .orElse(false);
        if (marked) {
          params.add(provisioning.admin().currentParameters(endpoint, a.nafFqdn()));
        }
      }
    } catch (org.keyprov.keys.KeyManagerException e) {
      // the DM server provisions them after registration instead
      LOG.warn("{}: no Enabler parameters at bootstrap: {}", endpoint, e.getMessage());
      params.clear();
    }
    return params;
  }

  /** An Access Control instance giving the DM server every right and no other server any. */
  private static BootstrapConfig.ACLConfig ownedByTheDmServer(int objectId, int instanceId) {
    BootstrapConfig.ACLConfig acl = new BootstrapConfig.ACLConfig();
    acl.objectId = objectId;
    acl.objectInstanceId = instanceId;
    acl.acls = new java.util.HashMap<>();
    acl.AccessControlOwner = DM_SHORT_SERVER_ID;
    return acl;
  }

  /** The object instance id of the Access Control instance that governs Create. */
  private static final int OBJECT_LEVEL = 65535;

  /** The Enabler parameters the session writes (a first bootstrap), none if no session. */
  java.util.List<org.keyprov.keys.EnablerParameters> enablers(BootstrapSession session) {
    Minted minted = sessions.get(session.getId());
    return minted == null ? java.util.List.of() : minted.enablers();
  }

  /** The session is over: what it was given, or null if it got nothing. */
  Minted forget(BootstrapSession session) {
    return sessions.remove(session.getId());
  }

  private Minted mint(String endpoint) {
    DmPsk psk = credentials.issueDmPsk(endpoint);
    BootstrapConfig config = new BootstrapConfig();
    config.autoIdForSecurityObject = true;
    config.toDelete.add("/0");
    config.toDelete.add("/1");
    config.toDelete.add("/2");
    // the Enabler keys are the DM server's alone: it may create instances (object level) ...
    config.acls.put(0, ownedByTheDmServer(EnablerSecurityObject.ID, OBJECT_LEVEL));

    BootstrapConfig.ServerSecurity security = new BootstrapConfig.ServerSecurity();
    security.uri = dmServer.toString();
    security.bootstrapServer = false;
    security.securityMode = SecurityMode.PSK;
    security.publicKeyOrId = psk.identity().getBytes(StandardCharsets.UTF_8);
    security.secretKey = psk.key();
    security.serverId = DM_SHORT_SERVER_ID;
    config.security.put(1, security);
    // a new factory credential (a rotation): the device's own bootstrap account is rewritten
    credentials
        .nextBootstrapPsk(endpoint)
        .ifPresent(
            next -> {
              BootstrapConfig.ServerSecurity account = new BootstrapConfig.ServerSecurity();
              account.uri = bootstrapServer.get().toString();
              account.bootstrapServer = true;
              account.securityMode = SecurityMode.PSK;
              account.publicKeyOrId = next.identity().getBytes(StandardCharsets.UTF_8);
              account.secretKey = next.key();
              config.security.put(0, account);
            });

    BootstrapConfig.ServerConfig server = new BootstrapConfig.ServerConfig();
    server.shortId = DM_SHORT_SERVER_ID;
    server.lifetime = (int) Math.min(Integer.MAX_VALUE, lifetime.toSeconds());
    server.binding = EnumSet.of(BindingMode.U);
    config.servers.put(0, server);
    return new Minted(config, psk.identity(), new java.util.concurrent.CopyOnWriteArrayList<>());
  }
}
