package org.keyprov.keys.store;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.keyprov.keys.CredentialAdmin;
import org.keyprov.keys.Device;
import org.keyprov.keys.DeviceOrder;
import org.keyprov.keys.DmCredentials;
import org.keyprov.keys.DmPsk;
import org.keyprov.keys.EnablerParameters;
import org.keyprov.keys.EnablerProfile;
import org.keyprov.keys.KeyManagerException;
import org.keyprov.keys.KeyManagerException.Kind;
import org.keyprov.keys.NewDevice;
import org.keyprov.keys.ProvisioningState;
import org.keyprov.keys.RenewalPolicy;
import org.keyprov.keys.Secrets;
import org.keyprov.keys.SimPersonalisation;
import org.keyprov.keys.gba.BTid;

final class JdbcCredentialAdmin implements CredentialAdmin, DmCredentials {
  /** Devices stored per batch when many are added: progress is told after each. */
  private static final int BATCH = 500;

  static final String ACTOR_SYSTEM = CredentialAdmin.SYSTEM;
  private static final int KS_LENGTH = 32;
  private static final int MIN_PSK_LENGTH = 16;
  private static final int MAX_PSK_LENGTH = 64;

  private final Database db;
  private final ColumnBox box;
  private final JdbcAuditLog audit;
  private final String domain;
  private final Clock clock;
  private final SecureRandom random;
  private final JdbcKeyRecords keys;
  private final JdbcBootstrap bootstrap;

  JdbcCredentialAdmin(
      Database db,
      ColumnBox box,
      JdbcAuditLog audit,
      String domain,
      Clock clock,
      SecureRandom random,
      RenewalPolicy renewal) {
    this.db = db;
    this.box = box;
    this.audit = audit;
    this.domain = domain;
    this.clock = clock;
    this.random = random;
    this.keys = new JdbcKeyRecords(db, box, audit, domain, clock, random, renewal);
    this.bootstrap = new JdbcBootstrap(db, box, audit, clock, random, this);
  }

  @Override
  public DmPsk addDeviceWithNewPsk(String endpoint, String dmPskIdentity, String actor) {
    byte[] psk = new byte[16];
    random.nextBytes(psk);
    try {
      Device d = addDevice(endpoint, dmPskIdentity, psk, actor);
      return new DmPsk(d.endpoint(), d.dmPskIdentity(), psk);
    } finally {
      Arrays.fill(psk, (byte) 0);
    }
  }

  @Override
  public Device addDevice(String endpoint, String dmPskIdentity, byte[] dmPsk, String actor) {
    String ep = requireName("endpoint", endpoint);
    String identity = requireName("DM PSK identity", dmPskIdentity);
    requirePsk(dmPsk);
    return db.inTransaction(
        "adding device " + ep, c -> insertDevice(c, ep, identity, dmPsk, actor, ""));
  }

  /**
   * Inserts a device with a fresh Ks and audits it ({@code note} is added to the audit detail); the
   * caller has checked the names and the key.
   */
  Device insertDevice(
      Connection c, String ep, String identity, byte[] dmPsk, String actor, String note)
      throws SQLException {
    if (Database.queryOne(
            c,
            "SELECT endpoint FROM device WHERE endpoint = ? OR dm_psk_identity = ?"
                + " OR next_dm_psk_identity = ?",
            rs -> rs.getString(1),
            ep,
            identity,
            identity)
        .isPresent()) {
      throw new KeyManagerException(
          Kind.CONFLICT,
          "a device with endpoint '"
              + ep
              + "' or DM PSK identity '"
              + identity
              + "' already exists; pick another name or delete that device first");
    }
    byte[] ks = new byte[KS_LENGTH];
    random.nextBytes(ks);
    Device device = new Device(ep, ep + "@" + domain, identity, clock.instant());
    try {
      Database.update(
          c,
          "INSERT INTO device(endpoint, impi, dm_psk_identity, dm_psk_enc, ks_enc, created_at)"
              + " VALUES (?, ?, ?, ?, ?, ?)",
          ep,
          device.impi(),
          identity,
          box.seal(dmPsk, "device.dm_psk:" + ep),
          box.seal(ks, "device.ks:" + ep),
          device.createdAt());
    } finally {
      Arrays.fill(ks, (byte) 0);
    }
    audit.append(
        c,
        actor,
        "device.added",
        ep,
        "DM PSK identity " + identity + ", DM PSK " + Secrets.fingerprint(dmPsk) + note);
    return device;
  }

  @Override
  public List<Device> addDevices(
      List<NewDevice> devices,
      java.util.Map<String, List<String>> enablers,
      String actor,
      java.util.function.IntConsumer progress) {
    if (devices.stream().anyMatch(NewDevice::factoryBootstrap)) {
      return bootstrap.addDevices(devices, enablers, actor, progress);
    }
    List<Device> added = new java.util.ArrayList<>(devices.size());
    java.util.Set<String> names = new java.util.HashSet<>();
    for (int row = 0; row < devices.size(); row++) {
      NewDevice d = devices.get(row);
      String where = "entry " + (row + 1) + " (" + d.endpoint() + "): ";
      try {
        requireName("endpoint", d.endpoint());
        requireName("DM PSK identity", d.dmPskIdentity());
        requirePsk(d.dmPsk());
      } catch (KeyManagerException e) {
        throw new KeyManagerException(Kind.INVALID, where + e.getMessage());
      }
      if (!names.add("e:" + d.endpoint()) || !names.add("i:" + d.dmPskIdentity())) {
        throw new KeyManagerException(
            Kind.CONFLICT, where + "endpoint or DM PSK identity repeats an earlier entry");
      }
    }
    return db.inTransaction(
        "adding " + devices.size() + " devices",
        c -> {
          try (java.sql.PreparedStatement ps =
              c.prepareStatement(
                  "INSERT INTO device(endpoint, impi, dm_psk_identity, dm_psk_enc, ks_enc, created_at)"
                      + " VALUES (?, ?, ?, ?, ?, ?)")) {
            java.time.OffsetDateTime now =
                java.time.OffsetDateTime.ofInstant(clock.instant(), java.time.ZoneOffset.UTC);
            byte[] ks = new byte[KS_LENGTH];
            int stored = 0;
            for (NewDevice d : devices) {
              random.nextBytes(ks);
              byte[] psk = d.dmPsk();
              String ep = d.endpoint();
              ps.setString(1, ep);
              ps.setString(2, ep + "@" + domain);
              ps.setString(3, d.dmPskIdentity());
              ps.setBytes(4, box.seal(psk, "device.dm_psk:" + ep));
              ps.setBytes(5, box.seal(ks, "device.ks:" + ep));
              ps.setObject(6, now);
              ps.addBatch();
              Arrays.fill(psk, (byte) 0);
              added.add(new Device(ep, ep + "@" + domain, d.dmPskIdentity(), now.toInstant()));
              if (++stored % BATCH == 0) {
                ps.executeBatch();
                progress.accept(stored);
              }
            }
            Arrays.fill(ks, (byte) 0);
            ps.executeBatch();
          } catch (java.sql.SQLException e) {
            if (e.getSQLState() != null && e.getSQLState().startsWith("23")) {
              throw new KeyManagerException(
                  Kind.CONFLICT,
                  "a device in the batch already exists (endpoint or DM PSK identity); nothing was added");
            }
            throw e;
          }
          assignAll(c, enablers, actor);
          audit.append(c, actor, "device.added", devices.size() + " devices", "bulk add");
          progress.accept(devices.size());
          return added;
        });
  }

  /**
   * In {@code c}'s transaction: assigns each endpoint of {@code enablers} the Enablers it lists
   * (any case, each once); an unknown Enabler is {@code NOT_FOUND}.
   */
  void assignAll(Connection c, java.util.Map<String, List<String>> enablers, String actor)
      throws SQLException {
    java.util.Map<String, Long> ids = new java.util.HashMap<>();
    java.time.Instant now = clock.instant();
    try (java.sql.PreparedStatement ps =
        c.prepareStatement(
            "INSERT INTO assignment(device_id, enabler_id, state, detail, attempts, updated_at)"
                + " SELECT d.id, ?, ?, 'assigned', 0, ? FROM device d WHERE d.endpoint = ?"
                + " AND NOT EXISTS (SELECT 1 FROM assignment a WHERE a.device_id = d.id"
                + " AND a.enabler_id = ?)")) {
      for (var e : enablers.entrySet()) {
        for (String fqdn : new java.util.LinkedHashSet<>(e.getValue())) {
          String naf = normalise(fqdn);
          Long id = ids.get(naf);
          if (id == null) {
            id = enablerId(c, naf);
            ids.put(naf, id);
          }
          ps.setLong(1, id);
          ps.setString(2, ProvisioningState.PENDING.name());
          ps.setObject(3, java.time.OffsetDateTime.ofInstant(now, java.time.ZoneOffset.UTC));
          ps.setString(4, e.getKey());
          ps.setLong(5, id);
          ps.addBatch();
          audit.append(c, actor, "enabler.assigned", e.getKey(), "Enabler " + naf);
        }
      }
      ps.executeBatch();
    }
  }

  @Override
  public Optional<Device> device(String endpoint) {
    return db.inTransaction(
        "reading device " + endpoint,
        c ->
            Database.queryOne(
                c, "SELECT * FROM device WHERE endpoint = ?", Rows::device, endpoint));
  }

  @Override
  public List<Device> devices() {
    return db.inTransaction(
        "listing devices",
        c -> Database.query(c, "SELECT * FROM device ORDER BY endpoint", Rows::device));
  }

  @Override
  public List<Device> devicePage(
      String search,
      ProvisioningState state,
      String enabler,
      DeviceOrder order,
      String after,
      int limit) {
    DeviceOrder.Cursor from = order.cursor(after);
    String p = search == null ? "" : search.toLowerCase(java.util.Locale.ROOT);
    String like = "%" + p.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%";
    int n = Math.max(1, Math.min(limit, 500));
    StringBuilder sql =
        new StringBuilder(
            "SELECT * FROM device WHERE (LOWER(endpoint) LIKE ? ESCAPE '\\'"
                + " OR LOWER(dm_psk_identity) LIKE ? ESCAPE '\\')");
    List<Object> args = new ArrayList<>(List.of(like, like));
    String beyond = order.descending() ? " < " : " > ";
    if (from != null && order.byCreation()) {
      sql.append(" AND (created_at, endpoint)").append(beyond).append("(?, ?)");
      args.add(from.createdAt());
      args.add(from.endpoint());
    } else if (from != null) {
      sql.append(" AND endpoint").append(beyond).append('?');
      args.add(from.endpoint());
    }
    if (state != null || enabler != null) {
      sql.append(
          " AND EXISTS (SELECT 1 FROM assignment a JOIN enabler e ON e.id = a.enabler_id"
              + " WHERE a.device_id = device.id");
      if (enabler != null) {
        sql.append(" AND e.naf_fqdn = ?");
        args.add(normalise(enabler));
      }
      if (state != null) {
        sql.append(" AND ").append(JdbcLedger.SHOWN_STATE).append(" = ?");
        args.add(clock.instant());
        args.add(state.name());
      }
      sql.append(')');
    }
    String direction = order.descending() ? " DESC" : "";
    sql.append(" ORDER BY ")
        .append(order.byCreation() ? "created_at" + direction + ", " : "")
        .append("endpoint")
        .append(direction)
        .append(" LIMIT ?");
    args.add(n);
    return db.inTransaction(
        "listing devices", c -> Database.query(c, sql.toString(), Rows::device, args.toArray()));
  }

  @Override
  public void deleteDevice(String endpoint, String actor) {
    db.inTransaction(
        "deleting device " + endpoint,
        c -> {
          Optional<Long> id =
              Database.queryOne(
                  c, "SELECT id FROM device WHERE endpoint = ?", rs -> rs.getLong(1), endpoint);
          if (id.isPresent()) {
            JdbcInvalidations.recordDevice(
                c, id.get(), endpoint, org.keyprov.keys.InvalidationFeed.DEVICE_DELETED, clock);
          }
          if (Database.update(c, "DELETE FROM device WHERE endpoint = ?", endpoint) == 0) {
            throw new KeyManagerException(
                Kind.NOT_FOUND, "no device has endpoint '" + endpoint + "'");
          }
          audit.append(c, actor, "device.deleted", endpoint, "");
          return null;
        });
  }

  @Override
  public java.util.Map<String, Long> counts() {
    return db.inTransaction(
        "counting",
        c -> {
          java.util.Map<String, Long> counts = new java.util.LinkedHashMap<>();
          counts.put(
              "devices",
              Database.queryOne(c, "SELECT COUNT(*) FROM device", rs -> rs.getLong(1)).orElse(0L));
          counts.putAll(JdbcLedger.countsByState(c, clock.instant()));
          return counts;
        });
  }

  @Override
  public EnablerProfile putEnabler(EnablerProfile enabler, String actor) {
    return db.inTransaction(
        "storing Enabler " + enabler.fqdn(),
        c -> {
          Object[] values = {
            enabler.nafId().ua().toBytes(),
            enabler.uri().toString(),
            Rows.joinLines(enabler.allowList()),
            Rows.joinLines(enabler.cipherSuites()),
            enabler.keyLifetime().toSeconds(),
            enabler.atBootstrap(),
            enabler.fqdn()
          };
          Optional<EnablerProfile> before =
              Database.queryOne(
                  c, "SELECT * FROM enabler WHERE naf_fqdn = ?", Rows::enabler, enabler.fqdn());
          int updated =
              Database.update(
                  c,
                  "UPDATE enabler SET ua_id = ?, uri = ?, allow_list = ?, cipher_suites = ?,"
                      + " key_lifetime_s = ?, at_bootstrap = ? WHERE naf_fqdn = ?",
                  values);
          // whether it is written at bootstrap alone changes nothing that devices hold
          boolean sameOnDevices = before.isPresent() && before.get().sameParameters(enabler);
          if (updated > 0 && !sameOnDevices) {
            // devices hold the old URI, allow-list or key (NAF_Id): provision them again
            Database.update(
                c,
                "UPDATE assignment SET state = ?, detail = ?, next_attempt_at = NULL,"
                    + " updated_at = ? WHERE enabler_id = (SELECT id FROM enabler WHERE naf_fqdn = ?)"
                    + " AND state <> ?",
                ProvisioningState.PENDING.name(),
                "Enabler profile changed; provisioned again at the next registration update",
                clock.instant(),
                enabler.fqdn(),
                ProvisioningState.UNSUPPORTED.name());
          } else if (updated == 0) {
            Database.update(
                c,
                "INSERT INTO enabler(ua_id, uri, allow_list, cipher_suites, key_lifetime_s,"
                    + " at_bootstrap, naf_fqdn, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                append(values, clock.instant()));
          }
          audit.append(
              c,
              actor,
              updated == 0 ? "enabler.added" : "enabler.changed",
              enabler.fqdn(),
              "NAF_Id "
                  + enabler.nafId()
                  + ", URI "
                  + enabler.uri()
                  + (enabler.atBootstrap() ? "; written at a device's first bootstrap" : ""));
          return enabler;
        });
  }

  @Override
  public Optional<EnablerProfile> enabler(String fqdn) {
    return db.inTransaction(
        "reading Enabler " + fqdn,
        c ->
            Database.queryOne(
                c, "SELECT * FROM enabler WHERE naf_fqdn = ?", Rows::enabler, normalise(fqdn)));
  }

  @Override
  public List<EnablerProfile> enablers() {
    return db.inTransaction(
        "listing Enablers",
        c -> Database.query(c, "SELECT * FROM enabler ORDER BY naf_fqdn", Rows::enabler));
  }

  @Override
  public void assign(String endpoint, String fqdn, String actor) {
    db.inTransaction(
        "assigning " + fqdn + " to " + endpoint,
        c -> {
          long deviceId = deviceId(c, endpoint);
          long enablerId = enablerId(c, fqdn);
          int inserted =
              Database.update(
                  c,
                  "INSERT INTO assignment(device_id, enabler_id, state, detail, attempts, updated_at)"
                      + " SELECT ?, ?, ?, 'assigned', 0, ? WHERE NOT EXISTS (SELECT 1 FROM"
                      + " assignment WHERE device_id = ? AND enabler_id = ?)",
                  deviceId,
                  enablerId,
                  ProvisioningState.PENDING.name(),
                  clock.instant(),
                  deviceId,
                  enablerId);
          if (inserted > 0) {
            audit.append(c, actor, "enabler.assigned", endpoint, "Enabler " + normalise(fqdn));
          }
          return null;
        });
  }

  @Override
  public void unassign(String endpoint, String fqdn, String actor) {
    db.inTransaction(
        "taking " + fqdn + " off " + endpoint,
        c -> {
          long deviceId = deviceId(c, endpoint);
          long enablerId = enablerId(c, fqdn);
          String nafFqdn = normalise(fqdn);
          List<String> btids =
              Database.query(
                  c,
                  "SELECT btid FROM key_record WHERE device_id = ? AND enabler_id = ?"
                      + " AND state <> 'REVOKED' AND expires_at > ?",
                  rs -> rs.getString(1),
                  deviceId,
                  enablerId,
                  clock.instant());
          for (String btid : btids) {
            JdbcInvalidations.record(
                c, btid, endpoint, nafFqdn, org.keyprov.keys.InvalidationFeed.UNASSIGNED, clock);
          }
          // for the DM server, which deletes the instance even when no key is valid any more
          JdbcInvalidations.record(
              c, "", endpoint, nafFqdn, org.keyprov.keys.InvalidationFeed.UNASSIGNED, clock);
          Database.update(
              c,
              "UPDATE key_record SET state = 'REVOKED' WHERE device_id = ? AND enabler_id = ?",
              deviceId,
              enablerId);
          if (Database.update(
                  c,
                  "DELETE FROM assignment WHERE device_id = ? AND enabler_id = ?",
                  deviceId,
                  enablerId)
              == 0) {
            throw new KeyManagerException(
                Kind.NOT_FOUND, "Enabler " + nafFqdn + " is not assigned to device " + endpoint);
          }
          audit.append(
              c,
              actor,
              "enabler.unassigned",
              endpoint,
              "Enabler " + nafFqdn + "; " + btids.size() + " valid key record(s) revoked");
          return null;
        });
  }

  @Override
  public DmPsk changeDmPsk(String endpoint, String actor) {
    byte[] psk = new byte[16];
    random.nextBytes(psk);
    try {
      String identity =
          db.inTransaction(
              "changing the DM PSK of " + endpoint,
              c -> {
                String id =
                    Database.queryOne(
                            c,
                            "SELECT dm_psk_identity FROM device WHERE endpoint = ?",
                            rs -> rs.getString(1),
                            endpoint)
                        .orElseThrow(() -> unknownDevice(endpoint));
                // the feed's sequence before the device row (see JdbcInvalidations.record)
                JdbcInvalidations.record(
                    c, "", endpoint, "", org.keyprov.keys.InvalidationFeed.DM_PSK_CHANGED, clock);
                Database.update(
                    c,
                    "UPDATE device SET dm_psk_enc = ?, dm_psk_since = ? WHERE endpoint = ?",
                    box.seal(psk, "device.dm_psk:" + endpoint),
                    clock.instant(),
                    endpoint);
                audit.append(
                    c,
                    actor,
                    "device.dm_psk_changed",
                    endpoint,
                    "new DM PSK " + Secrets.fingerprint(psk) + "; the old one no longer works");
                return id;
              });
      return new DmPsk(endpoint, identity, psk);
    } finally {
      Arrays.fill(psk, (byte) 0);
    }
  }

  @Override
  public EnablerParameters currentParameters(String endpoint, String fqdn) {
    return keys.currentParameters(endpoint, fqdn);
  }

  @Override
  public void revoke(BTid btid, String actor) {
    keys.revoke(btid, actor);
  }

  @Override
  public int deleteEnabler(String fqdn, String actor) {
    return db.inTransaction(
        "deleting Enabler " + fqdn,
        c -> {
          long enablerId = enablerId(c, fqdn);
          String nafFqdn = normalise(fqdn);
          for (String[] key :
              Database.query(
                  c,
                  "SELECT k.btid, d.endpoint FROM key_record k JOIN device d ON d.id = k.device_id"
                      + " WHERE k.enabler_id = ? AND k.state <> 'REVOKED' AND k.expires_at > ?",
                  rs -> new String[] {rs.getString(1), rs.getString(2)},
                  enablerId,
                  clock.instant())) {
            JdbcInvalidations.record(
                c, key[0], key[1], nafFqdn, org.keyprov.keys.InvalidationFeed.UNASSIGNED, clock);
          }
          List<String> devices =
              Database.query(
                  c,
                  "SELECT d.endpoint FROM assignment a JOIN device d ON d.id = a.device_id"
                      + " WHERE a.enabler_id = ?",
                  rs -> rs.getString(1),
                  enablerId);
          for (String endpoint : devices) {
            // for the DM servers, which delete the device's instance of this Enabler
            JdbcInvalidations.record(
                c, "", endpoint, nafFqdn, org.keyprov.keys.InvalidationFeed.UNASSIGNED, clock);
          }
          Database.update(c, "DELETE FROM enabler WHERE id = ?", enablerId); // cascades
          audit.append(
              c,
              actor,
              "enabler.deleted",
              nafFqdn,
              "taken off " + devices.size() + " device(s); its keys stopped working");
          return devices.size();
        });
  }

  @Override
  public int revokeKeys(String endpoint, String fqdn, String actor) {
    List<String> btids =
        db.inTransaction(
            "finding the keys of " + endpoint + " for " + fqdn,
            c ->
                Database.query(
                    c,
                    "SELECT k.btid FROM key_record k JOIN device d ON d.id = k.device_id"
                        + " JOIN enabler e ON e.id = k.enabler_id"
                        + " WHERE d.endpoint = ? AND e.naf_fqdn = ? AND k.state <> 'REVOKED'",
                    rs -> rs.getString(1),
                    endpoint,
                    normalise(fqdn)));
    if (btids.isEmpty()) {
      throw new KeyManagerException(
          Kind.NOT_FOUND, "device " + endpoint + " has no key of Enabler " + fqdn + " to revoke");
    }
    for (String btid : btids) {
      keys.revoke(new BTid(btid), actor);
    }
    return btids.size();
  }

  @Override
  public SimPersonalisation personaliseSim(String endpoint, List<String> fqdns, String actor) {
    for (String fqdn : fqdns) {
      assign(endpoint, fqdn, actor);
    }
    return keys.personaliseSim(endpoint, fqdns, actor);
  }

  @Override
  public Optional<DmPsk> byIdentity(String pskIdentity) {
    if (pskIdentity == null) {
      return Optional.empty();
    }
    return db.inTransaction(
        "reading a DM credential",
        c -> {
          Optional<DmPsk> current = currentDmPsk(c, "dm_psk_identity", pskIdentity);
          return current.isPresent() ? current : bootstrap.pendingDmPsk(c, pskIdentity);
        });
  }

  @Override
  public Optional<DmPsk> byEndpoint(String endpoint) {
    if (endpoint == null) {
      return Optional.empty();
    }
    return db.inTransaction("reading a DM credential", c -> currentDmPsk(c, "endpoint", endpoint));
  }

  @Override
  public void confirm(String endpoint, String identity) {
    bootstrap.confirm(endpoint, identity);
  }

  private Optional<DmPsk> currentDmPsk(Connection c, String column, String value)
      throws SQLException {
    return Database.queryOne(
        c,
        "SELECT endpoint, dm_psk_identity, dm_psk_enc, dm_rotation_requested_at FROM device WHERE "
            + column
            + " = ?",
        rs -> {
          String ep = rs.getString(1);
          byte[] key = box.open(rs.getBytes(3), "device.dm_psk:" + ep);
          try {
            return new DmPsk(ep, rs.getString(2), key, false, rs.getObject(4) != null);
          } finally {
            Arrays.fill(key, (byte) 0);
          }
        },
        value);
  }

  @Override
  public Device addBootstrapDevice(
      String endpoint, String bsPskIdentity, byte[] bsPsk, String actor) {
    return bootstrap.addDevice(endpoint, bsPskIdentity, bsPsk, actor);
  }

  @Override
  public void setBootstrapPsk(String endpoint, String bsPskIdentity, byte[] bsPsk, String actor) {
    bootstrap.setBootstrapPsk(endpoint, bsPskIdentity, bsPsk, actor);
  }

  @Override
  public void requestDmRotation(String endpoint, String actor) {
    bootstrap.requestDmRotation(endpoint, actor);
  }

  @Override
  public void rotateBootstrapPsk(String endpoint, String actor) {
    bootstrap.rotateBootstrapPsk(endpoint, actor);
  }

  @Override
  public Optional<org.keyprov.keys.BootstrapStatus> bootstrapStatus(String endpoint) {
    return bootstrap.status(endpoint);
  }

  /** The bootstrap side of the device rows: factory credentials and issued DM PSKs. */
  JdbcBootstrap bootstrap() {
    return bootstrap;
  }

  static long deviceId(Connection c, String endpoint) throws SQLException {
    return Database.queryOne(
            c, "SELECT id FROM device WHERE endpoint = ?", rs -> rs.getLong(1), endpoint)
        .orElseThrow(() -> unknownDevice(endpoint));
  }

  static long enablerId(Connection c, String fqdn) throws SQLException {
    return Database.queryOne(
            c, "SELECT id FROM enabler WHERE naf_fqdn = ?", rs -> rs.getLong(1), normalise(fqdn))
        .orElseThrow(() -> unknownEnabler(fqdn));
  }

  static KeyManagerException unknownEnabler(String fqdn) {
    return new KeyManagerException(
        Kind.NOT_FOUND, "no Enabler has NAF FQDN '" + fqdn + "'; add it first");
  }

  static KeyManagerException unknownDevice(String endpoint) {
    return new KeyManagerException(
        Kind.NOT_FOUND, "no device has endpoint '" + endpoint + "'; add it first");
  }

  static String normalise(String fqdn) {
    return fqdn == null ? "" : fqdn.trim().toLowerCase(java.util.Locale.ROOT);
  }

  static void requirePsk(byte[] dmPsk) {
    if (dmPsk == null || dmPsk.length < MIN_PSK_LENGTH || dmPsk.length > MAX_PSK_LENGTH) {
      throw new KeyManagerException(
          Kind.INVALID,
          "the DM PSK must be "
              + MIN_PSK_LENGTH
              + " to "
              + MAX_PSK_LENGTH
              + " bytes, got "
              + (dmPsk == null ? "none" : dmPsk.length));
    }
  }

  static String requireName(String what, String value) {
    if (value == null || value.isBlank()) {
      throw new KeyManagerException(Kind.INVALID, "the " + what + " is missing");
    }
    if (value.getBytes(StandardCharsets.UTF_8).length > 255) {
      throw new KeyManagerException(Kind.INVALID, "the " + what + " is longer than 255 bytes");
    }
    // inner spaces are fine (names come from devices and operators alike); control characters,
    // tabs, line breaks and leading or trailing blanks are not
    if (!value.equals(value.strip())
        || value
            .chars()
            .anyMatch(
                ch -> Character.isISOControl(ch) || (Character.isWhitespace(ch) && ch != ' '))) {
      throw new KeyManagerException(
          Kind.INVALID,
          "the "
              + what
              + " '"
              + value.strip()
              + "' has leading or trailing blanks, tabs or control characters");
    }
    return value;
  }

  private static Object[] append(Object[] values, Object last) {
    Object[] out = Arrays.copyOf(values, values.length + 1);
    out[values.length] = last;
    return out;
  }
}
