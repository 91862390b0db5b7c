package org.keyprov.keys.store;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Optional;
import org.keyprov.keys.BootstrapCredentials;
import org.keyprov.keys.BootstrapStatus;
import org.keyprov.keys.CredentialAdmin;
import org.keyprov.keys.Device;
import org.keyprov.keys.DmPsk;
import org.keyprov.keys.KeyManagerException;
import org.keyprov.keys.KeyManagerException.Kind;
import org.keyprov.keys.NewDevice;
import org.keyprov.keys.Secrets;

/**
 * Factory bootstrap credentials and the DM PSKs the bootstrap server issues, on the device rows.
 *
 * <p>A DM PSK the bootstrap server writes is <em>pending</em> ({@code next_dm_psk_*}) until the
 * device registers with it: both it and the current one are accepted meanwhile, so a device whose
 * bootstrap session broke off, or that never got the new key, is not locked out. Registering with
 * it makes it current and retires the old one ({@link #confirm}).
 */
final class JdbcBootstrap implements BootstrapCredentials {
  private static final int DM_PSK_LENGTH = 16;

  private final Database db;
  private final ColumnBox box;
  private final JdbcAuditLog audit;
  private final Clock clock;
  private final SecureRandom random;
  private final JdbcCredentialAdmin admin;

  JdbcBootstrap(
      Database db,
      ColumnBox box,
      JdbcAuditLog audit,
      Clock clock,
      SecureRandom random,
      JdbcCredentialAdmin admin) {
    this.db = db;
    this.box = box;
    this.audit = audit;
    this.clock = clock;
    this.random = random;
    this.admin = admin;
  }

  @Override
  public Optional<DmPsk> byIdentity(String bsPskIdentity) {
    Optional<DmPsk> current = bsPsk("bs_psk_identity", bsPskIdentity);
    return current.isPresent() ? current : nextBsPsk("next_bs_psk_identity", bsPskIdentity);
  }

  @Override
  public Optional<DmPsk> nextBootstrapPsk(String endpoint) {
    return nextBsPsk("endpoint", endpoint);
  }

  private Optional<DmPsk> nextBsPsk(String column, String value) {
    if (value == null) {
      return Optional.empty();
    }
    return db.inTransaction(
        "reading a new bootstrap credential",
        c ->
            Database.queryOne(
                c,
                "SELECT endpoint, next_bs_psk_identity, next_bs_psk_enc FROM device WHERE "
                    + column
                    + " = ? AND next_bs_psk_identity IS NOT NULL",
                rs -> {
                  String ep = rs.getString(1);
                  byte[] key = box.open(rs.getBytes(3), nextBsContext(ep));
                  try {
                    return new DmPsk(ep, rs.getString(2), key, true, false);
                  } finally {
                    Arrays.fill(key, (byte) 0);
                  }
                },
                value));
  }

  @Override
  public void confirmBootstrap(String endpoint, String identity) {
    db.inTransaction(
        "retiring the old bootstrap credential of " + endpoint,
        c -> {
          Optional<byte[]> sealed =
              Database.queryOne(
                  c,
                  "SELECT next_bs_psk_enc FROM device WHERE endpoint = ?"
                      + " AND next_bs_psk_identity = ?",
                  rs -> rs.getBytes(1),
                  endpoint,
                  identity);
          if (sealed.isEmpty()) {
            return null;
          }
          byte[] psk = box.open(sealed.get(), nextBsContext(endpoint));
          try {
            Database.update(
                c,
                "UPDATE device SET next_bs_psk_identity = NULL, next_bs_psk_enc = NULL"
                    + " WHERE endpoint = ?",
                endpoint);
            Database.update(
                c,
                "UPDATE device SET bs_psk_identity = ?, bs_psk_enc = ?,"
                    + " bs_psk_version = bs_psk_version + 1 WHERE endpoint = ?",
                identity,
                box.seal(psk, bsContext(endpoint)),
                endpoint);
            audit.append(
                c,
                CredentialAdmin.SYSTEM,
                "device.bs_psk_rotated",
                endpoint,
                "bootstrapped with factory bootstrap PSK identity "
                    + identity
                    + " ("
                    + Secrets.fingerprint(psk)
                    + "); the old one no longer works");
          } finally {
            Arrays.fill(psk, (byte) 0);
          }
          return null;
        });
  }

  void rotateBootstrapPsk(String endpoint, String actor) {
    byte[] psk = new byte[DM_PSK_LENGTH];
    random.nextBytes(psk);
    try {
      db.inTransaction(
          "minting a new bootstrap credential for " + endpoint,
          c -> {
            int version =
                Database.queryOne(
                        c,
                        "SELECT bs_psk_identity, bs_psk_version FROM device WHERE endpoint = ?",
                        rs -> rs.getString(1) == null ? 0 : rs.getInt(2),
                        endpoint)
                    .orElseThrow(() -> JdbcCredentialAdmin.unknownDevice(endpoint));
            if (version == 0) {
              throw new KeyManagerException(
                  Kind.INVALID,
                  "device "
                      + endpoint
                      + " has no factory bootstrap credential to rotate: give it one first");
            }
            // the feed's sequence before the device row (see JdbcInvalidations.record)
            JdbcInvalidations.record(
                c, "", endpoint, "", org.keyprov.keys.InvalidationFeed.DM_ROTATION, clock);
            String id = freeBsIdentity(c, endpoint, version + 1);
            Database.update(
                c,
                "UPDATE device SET next_bs_psk_identity = ?, next_bs_psk_enc = ?,"
                    + " dm_rotation_requested_at = ? WHERE endpoint = ?",
                id,
                box.seal(psk, nextBsContext(endpoint)),
                clock.instant(),
                endpoint);
            audit.append(
                c,
                actor,
                "device.bs_psk_issued",
                endpoint,
                "new factory bootstrap PSK identity "
                    + id
                    + ", bootstrap PSK "
                    + Secrets.fingerprint(psk)
                    + ", written at the device's next bootstrap (asked for now); the current one"
                    + " works until the device bootstraps with the new one");
            return null;
          });
    } finally {
      Arrays.fill(psk, (byte) 0);
    }
  }

  private static String freeBsIdentity(Connection c, String endpoint, int version)
      throws SQLException {
    String named = endpoint + "#bs" + version;
    if (named.getBytes(StandardCharsets.UTF_8).length <= 255
        && Database.queryOne(
                c,
                "SELECT endpoint FROM device WHERE (bs_psk_identity = ? OR next_bs_psk_identity = ?)"
                    + " AND endpoint <> ?",
                rs -> rs.getString(1),
                named,
                named,
                endpoint)
            .isEmpty()) {
      return named;
    }
    return "bs-" + java.util.UUID.randomUUID();
  }

  @Override
  public Optional<DmPsk> byEndpoint(String endpoint) {
    return bsPsk("endpoint", endpoint);
  }

  private Optional<DmPsk> bsPsk(String column, String value) {
    if (value == null) {
      return Optional.empty();
    }
    return db.inTransaction(
        "reading a bootstrap credential",
        c ->
            Database.queryOne(
                c,
                "SELECT endpoint, bs_psk_identity, bs_psk_enc FROM device WHERE "
                    + column
                    + " = ? AND bs_psk_identity IS NOT NULL",
                rs -> {
                  String ep = rs.getString(1);
                  byte[] key = box.open(rs.getBytes(3), bsContext(ep));
                  try {
                    return new DmPsk(ep, rs.getString(2), key);
                  } finally {
                    Arrays.fill(key, (byte) 0);
                  }
                },
                value));
  }

  @Override
  public DmPsk issueDmPsk(String endpoint) {
    byte[] psk = new byte[DM_PSK_LENGTH];
    random.nextBytes(psk);
    try {
      String identity =
          db.inTransaction(
              "issuing a DM PSK to " + endpoint,
              c -> {
                int version =
                    Database.queryOne(
                            c,
                            "SELECT dm_psk_version FROM device WHERE endpoint = ?",
                            rs -> rs.getInt(1),
                            endpoint)
                        .orElseThrow(() -> JdbcCredentialAdmin.unknownDevice(endpoint));
                String id = freeIdentity(c, endpoint, version + 1);
                Database.update(
                    c,
                    "UPDATE device SET next_dm_psk_identity = ?, next_dm_psk_enc = ?,"
                        + " next_dm_psk_issued_at = ? WHERE endpoint = ?",
                    id,
                    box.seal(psk, nextContext(endpoint)),
                    clock.instant(),
                    endpoint);
                audit.append(
                    c,
                    CredentialAdmin.SYSTEM,
                    "device.dm_psk_issued",
                    endpoint,
                    "bootstrap server writes DM PSK identity "
                        + id
                        + ", DM PSK "
                        + Secrets.fingerprint(psk)
                        + " (version "
                        + (version + 1)
                        + "); the current one works until the device registers with it");
                return id;
              });
      return new DmPsk(endpoint, identity, psk, true, false);
    } finally {
      Arrays.fill(psk, (byte) 0);
    }
  }

  /**
   * {@code <endpoint>#dm<version>} when no other device's DM PSK has that identity and it fits,
   * else a random one.
   */
  private String freeIdentity(Connection c, String endpoint, int version) throws SQLException {
    String named = endpoint + "#dm" + version;
    if (named.getBytes(StandardCharsets.UTF_8).length <= 255 && !taken(c, named, endpoint)) {
      return named;
    }
    while (true) {
      byte[] id = new byte[12];
      random.nextBytes(id);
      String generated = "dm-" + HexFormat.of().formatHex(id);
      if (!taken(c, generated, endpoint)) {
        return generated;
      }
    }
  }

  private static boolean taken(Connection c, String identity, String endpoint) throws SQLException {
    return Database.queryOne(
            c,
            "SELECT endpoint FROM device WHERE (dm_psk_identity = ? OR next_dm_psk_identity = ?)"
                + " AND endpoint <> ?",
            rs -> rs.getString(1),
            identity,
            identity,
            endpoint)
        .isPresent();
  }

  /** The device's pending DM PSK with this identity, for the DM server's handshake. */
  Optional<DmPsk> pendingDmPsk(Connection c, String identity) throws SQLException {
    return Database.queryOne(
        c,
        "SELECT endpoint, next_dm_psk_enc FROM device WHERE next_dm_psk_identity = ?",
        rs -> {
          String ep = rs.getString(1);
          byte[] key = box.open(rs.getBytes(2), nextContext(ep));
          try {
            return new DmPsk(ep, identity, key, true, false);
          } finally {
            Arrays.fill(key, (byte) 0);
          }
        },
        identity);
  }

  /** The device registered with its pending DM PSK: it becomes current, the old one is retired. */
  void confirm(String endpoint, String identity) {
    db.inTransaction(
        "retiring the old DM PSK of " + endpoint,
        c -> {
          Optional<byte[]> sealed =
              Database.queryOne(
                  c,
                  "SELECT next_dm_psk_enc FROM device WHERE endpoint = ?"
                      + " AND next_dm_psk_identity = ?",
                  rs -> rs.getBytes(1),
                  endpoint,
                  identity);
          if (sealed.isEmpty()) {
            return null;
          }
          byte[] psk = box.open(sealed.get(), nextContext(endpoint));
          try {
            String old =
                Database.queryOne(
                        c,
                        "SELECT dm_psk_identity FROM device WHERE endpoint = ?",
                        rs -> rs.getString(1),
                        endpoint)
                    .orElseThrow();
            // the old identity first: the unique index must never see one identity twice
            Database.update(
                c,
                "UPDATE device SET next_dm_psk_identity = NULL, next_dm_psk_enc = NULL,"
                    + " next_dm_psk_issued_at = NULL WHERE endpoint = ?",
                endpoint);
            Database.update(
                c,
                "UPDATE device SET dm_psk_identity = ?, dm_psk_enc = ?,"
                    + " dm_psk_version = dm_psk_version + 1, dm_rotation_requested_at = NULL,"
                    + " dm_psk_since = ? WHERE endpoint = ?",
                identity,
                box.seal(psk, "device.dm_psk:" + endpoint),
                clock.instant(),
                endpoint);
            audit.append(
                c,
                CredentialAdmin.SYSTEM,
                "device.dm_psk_rotated",
                endpoint,
                "registered with DM PSK identity "
                    + identity
                    + " ("
                    + Secrets.fingerprint(psk)
                    + "); the old one, identity "
                    + old
                    + ", no longer works");
          } finally {
            Arrays.fill(psk, (byte) 0);
          }
          return null;
        });
  }

  @Override
  public void bootstrapped(String endpoint, String detail) {
    db.inTransaction(
        "recording the bootstrap of " + endpoint,
        c -> {
          Database.update(
              c,
              "UPDATE device SET bootstrapped_at = ? WHERE endpoint = ?",
              clock.instant(),
              endpoint);
          audit.append(c, CredentialAdmin.SYSTEM, "device.bootstrapped", endpoint, detail);
          return null;
        });
  }

  Device addDevice(String endpoint, String bsPskIdentity, byte[] bsPsk, String actor) {
    String ep = JdbcCredentialAdmin.requireName("endpoint", endpoint);
    String bsIdentity = JdbcCredentialAdmin.requireName("bootstrap PSK identity", bsPskIdentity);
    requireBsPsk(bsPsk);
    byte[] dmPsk = new byte[DM_PSK_LENGTH];
    random.nextBytes(dmPsk);
    try {
      return db.inTransaction(
          "adding device " + ep,
          c -> {
            requireFreeBsIdentity(c, bsIdentity, ep);
            String dmIdentity = freeIdentity(c, ep, 1);
            Device device =
                admin.insertDevice(
                    c,
                    ep,
                    dmIdentity,
                    dmPsk,
                    actor,
                    " (minted, for the bootstrap server to write); factory bootstrap PSK identity "
                        + bsIdentity
                        + ", bootstrap PSK "
                        + Secrets.fingerprint(bsPsk));
            storeBsPsk(c, ep, bsIdentity, bsPsk);
            return device;
          });
    } finally {
      Arrays.fill(dmPsk, (byte) 0);
    }
  }

  /**
   * Adds devices with factory bootstrap credentials in one transaction: all, or (on any invalid or
   * duplicate entry) none, the first problem in the exception's message.
   */
  java.util.List<Device> addDevices(
      java.util.List<NewDevice> devices,
      java.util.Map<String, java.util.List<String>> enablers,
      String actor,
      java.util.function.IntConsumer progress) {
    java.util.Set<String> names = new java.util.HashSet<>();
    for (int row = 0; row < devices.size(); row++) {
      NewDevice d = devices.get(row);
      String where = "entry " + (row + 1) + " (" + d.endpoint() + "): ";
      if (!d.factoryBootstrap()) {
        throw new KeyManagerException(
            Kind.INVALID,
            where
                + "a DM PSK among factory bootstrap credentials; add the two kinds of devices"
                + " separately");
      }
      try {
        JdbcCredentialAdmin.requireName("endpoint", d.endpoint());
        JdbcCredentialAdmin.requireName("bootstrap PSK identity", d.dmPskIdentity());
        requireBsPsk(d.dmPsk());
      } catch (KeyManagerException e) {
        throw new KeyManagerException(Kind.INVALID, where + e.getMessage());
      }
      if (!names.add("e:" + d.endpoint()) || !names.add("i:" + d.dmPskIdentity())) {
        throw new KeyManagerException(
            Kind.CONFLICT, where + "endpoint or bootstrap PSK identity repeats an earlier entry");
      }
    }
    byte[] dmPsk = new byte[DM_PSK_LENGTH];
    try {
      return db.inTransaction(
          "adding " + devices.size() + " devices",
          c -> {
            java.util.List<Device> added = new java.util.ArrayList<>();
            for (NewDevice d : devices) {
              random.nextBytes(dmPsk);
              byte[] bs = d.dmPsk();
              try {
                requireFreeBsIdentity(c, d.dmPskIdentity(), d.endpoint());
                added.add(
                    admin.insertDevice(
                        c,
                        d.endpoint(),
                        freeIdentity(c, d.endpoint(), 1),
                        dmPsk,
                        actor,
                        " (minted, for the bootstrap server to write); factory bootstrap PSK"
                            + " identity "
                            + d.dmPskIdentity()));
                storeBsPsk(c, d.endpoint(), d.dmPskIdentity(), bs);
              } finally {
                Arrays.fill(bs, (byte) 0);
              }
              if (added.size() % 100 == 0) {
                progress.accept(added.size());
              }
            }
            admin.assignAll(c, enablers, actor);
            progress.accept(added.size());
            return added;
          });
    } finally {
      Arrays.fill(dmPsk, (byte) 0);
    }
  }

  void setBootstrapPsk(String endpoint, String bsPskIdentity, byte[] bsPsk, String actor) {
    String bsIdentity = JdbcCredentialAdmin.requireName("bootstrap PSK identity", bsPskIdentity);
    requireBsPsk(bsPsk);
    db.inTransaction(
        "setting the bootstrap credential of " + endpoint,
        c -> {
          JdbcCredentialAdmin.deviceId(c, endpoint);
          requireFreeBsIdentity(c, bsIdentity, endpoint);
          storeBsPsk(c, endpoint, bsIdentity, bsPsk);
          audit.append(
              c,
              actor,
              "device.bs_psk_set",
              endpoint,
              "factory bootstrap PSK identity "
                  + bsIdentity
                  + ", bootstrap PSK "
                  + Secrets.fingerprint(bsPsk));
          return null;
        });
  }

  @Override
  public int requestRotations(java.time.Duration maxAge, int limit) {
    java.util.List<String> due =
        db.inTransaction(
            "finding DM PSKs due for rotation",
            c ->
                Database.query(
                    c,
                    "SELECT endpoint FROM device WHERE bs_psk_identity IS NOT NULL"
                        + " AND dm_rotation_requested_at IS NULL"
                        + " AND COALESCE(dm_psk_since, created_at) < ?"
                        + " ORDER BY COALESCE(dm_psk_since, created_at), endpoint"
                        + " FETCH FIRST "
                        + Math.max(1, limit)
                        + " ROWS ONLY",
                    rs -> rs.getString(1),
                    clock.instant().minus(maxAge)));
    int asked = 0;
    for (String endpoint : due) {
      try {
        requestDmRotation(endpoint, CredentialAdmin.SYSTEM);
        asked++;
      } catch (KeyManagerException e) {
        // deleted meanwhile: nothing to rotate
      }
    }
    return asked;
  }

  void requestDmRotation(String endpoint, String actor) {
    db.inTransaction(
        "asking for a DM PSK rotation of " + endpoint,
        c -> {
          String bs =
              Database.queryOne(
                      c,
                      "SELECT COALESCE(bs_psk_identity, '') FROM device WHERE endpoint = ?",
                      rs -> rs.getString(1),
                      endpoint)
                  .orElseThrow(() -> JdbcCredentialAdmin.unknownDevice(endpoint));
          if (bs.isEmpty()) {
            throw new KeyManagerException(
                Kind.INVALID,
                "device "
                    + endpoint
                    + " has no factory bootstrap credential, so the bootstrap server cannot give"
                    + " it a new DM PSK: give it one first, or change its DM PSK by hand");
          }
          // the feed's sequence before the device row (see JdbcInvalidations.record)
          JdbcInvalidations.record(
              c, "", endpoint, "", org.keyprov.keys.InvalidationFeed.DM_ROTATION, clock);
          Database.update(
              c,
              "UPDATE device SET dm_rotation_requested_at = ? WHERE endpoint = ?",
              clock.instant(),
              endpoint);
          audit.append(
              c,
              actor,
              "device.dm_rotation_requested",
              endpoint,
              "the device bootstraps again and gets a new DM PSK; the current one works until it"
                  + " registers with the new one");
          return null;
        });
  }

  Optional<BootstrapStatus> status(String endpoint) {
    return db.inTransaction(
        "reading the bootstrap state of " + endpoint,
        c ->
            Database.queryOne(
                c,
                "SELECT bs_psk_identity, bootstrapped_at, dm_psk_version, next_dm_psk_issued_at,"
                    + " dm_rotation_requested_at, bs_psk_version, next_bs_psk_identity"
                    + " FROM device WHERE endpoint = ?",
                rs ->
                    new BootstrapStatus(
                        rs.getString("bs_psk_identity"),
                        Database.instant(rs, "bootstrapped_at"),
                        rs.getInt("dm_psk_version"),
                        Database.instant(rs, "next_dm_psk_issued_at"),
                        Database.instant(rs, "dm_rotation_requested_at"),
                        rs.getInt("bs_psk_version"),
                        rs.getString("next_bs_psk_identity")),
                endpoint));
  }

  private void storeBsPsk(Connection c, String endpoint, String identity, byte[] psk)
      throws SQLException {
    Database.update(
        c,
        // an operator's new factory credential replaces a rotation under way, too
        "UPDATE device SET bs_psk_identity = ?, bs_psk_enc = ?, next_bs_psk_identity = NULL,"
            + " next_bs_psk_enc = NULL WHERE endpoint = ?",
        identity,
        box.seal(psk, bsContext(endpoint)),
        endpoint);
  }

  private static void requireFreeBsIdentity(Connection c, String identity, String endpoint)
      throws SQLException {
    Optional<String> holder =
        Database.queryOne(
            c,
            "SELECT endpoint FROM device WHERE (bs_psk_identity = ? OR next_bs_psk_identity = ?)"
                + " AND endpoint <> ?",
            rs -> rs.getString(1),
            identity,
            identity,
            endpoint);
    if (holder.isPresent()) {
      throw new KeyManagerException(
          Kind.CONFLICT,
          "bootstrap PSK identity '"
              + identity
              + "' already belongs to device "
              + holder.get()
              + "; each device needs its own");
    }
  }

  private static void requireBsPsk(byte[] psk) {
    try {
      JdbcCredentialAdmin.requirePsk(psk);
    } catch (KeyManagerException e) {
      throw new KeyManagerException(
          Kind.INVALID, e.getMessage().replace("the DM PSK", "the bootstrap PSK"));
    }
  }

  private static String bsContext(String endpoint) {
    return "device.bs_psk:" + endpoint;
  }

  private static String nextBsContext(String endpoint) {
    return "device.next_bs_psk:" + endpoint;
  }

  private static String nextContext(String endpoint) {
    return "device.next_dm_psk:" + endpoint;
  }
}
