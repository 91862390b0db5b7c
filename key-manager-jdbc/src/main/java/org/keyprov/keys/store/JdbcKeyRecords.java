package org.keyprov.keys.store;

import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.keyprov.keys.EnablerParameters;
import org.keyprov.keys.EnablerProfile;
import org.keyprov.keys.InvalidationFeed;
import org.keyprov.keys.KeyManagerException;
import org.keyprov.keys.KeyManagerException.Kind;
import org.keyprov.keys.ProvisioningState;
import org.keyprov.keys.RenewalPolicy;
import org.keyprov.keys.SimPersonalisation;
import org.keyprov.keys.gba.BTid;
import org.keyprov.keys.gba.GbaKdf;

/**
 * Key records: minting (one RAND and B-TID per bootstrapping), reuse while fresh, rotation,
 * revocation, and the SIM export. NAF keys are derived, never stored.
 */
final class JdbcKeyRecords {
  private final Database db;
  private final ColumnBox box;
  private final JdbcAuditLog audit;
  private final String domain;
  private final Clock clock;
  private final SecureRandom random;
  private final RenewalPolicy renewal;

  JdbcKeyRecords(
      Database db,
      ColumnBox box,
      JdbcAuditLog audit,
      String domain,
      Clock clock,
      SecureRandom random,
      RenewalPolicy renewal) {
    this.renewal = renewal;
    this.db = db;
    this.box = box;
    this.audit = audit;
    this.domain = domain;
    this.clock = clock;
    this.random = random;
  }

  EnablerParameters currentParameters(String endpoint, String fqdn) {
    return db.inTransaction(
        "minting a key for " + endpoint + " and " + fqdn,
        c -> {
          // one query for the device's row and the Enabler's: this runs once per device provisioned
          DeviceAndEnabler both = deviceAndEnabler(c, endpoint, fqdn);
          DeviceRow device = both.device();
          EnablerRow row = both.enabler();
          long enablerId = row.id();
          EnablerProfile enabler = row.profile();
          lockAssignment(c, device.id(), enablerId, endpoint, fqdn);
          Instant now = clock.instant();
          Optional<KeyRow> current = latest(c, device.id(), enablerId);
          KeyRow key =
              current.isPresent() && current.get().usableAt(now, enabler.keyLifetime(), renewal)
                  ? current.get()
                  : mint(
                      c, device.id(), enablerId, endpoint, enabler, current, newRand(), now, "DM");
          byte[] ks = rootKey(device, endpoint);
          try {
            byte[] nafKey =
                GbaKdf.deriveNafKey(
                    ks, key.rand, device.impi(), enabler.nafId(), GbaKdf.Variant.GBA_ME);
            try {
              return new EnablerParameters(
                  enabler,
                  new BTid(key.btid),
                  nafKey,
                  key.expiresAt,
                  renewal.renewAt(key.expiresAt, enabler.keyLifetime()),
                  key.version);
            } finally {
              Arrays.fill(nafKey, (byte) 0);
            }
          } finally {
            Arrays.fill(ks, (byte) 0);
          }
        });
  }

  SimPersonalisation personaliseSim(String endpoint, List<String> fqdns, String actor) {
    if (fqdns.isEmpty()) {
      throw new KeyManagerException(
          Kind.INVALID, "a SIM needs at least one Enabler on its NAF list");
    }
    return db.inTransaction(
        "personalising a SIM for " + endpoint,
        c -> {
          DeviceRow device = deviceRow(c, endpoint);
          long deviceId = device.id();
          byte[] rand = newRand();
          Instant now = clock.instant();
          List<SimPersonalisation.Naf> nafs = new ArrayList<>();
          KeyRow last = null;
          for (String fqdn : fqdns) {
            EnablerRow row = enablerRow(c, fqdn);
            long enablerId = row.id();
            EnablerProfile enabler = row.profile();
            lockAssignment(c, deviceId, enablerId, endpoint, fqdn);
            Optional<KeyRow> previous = latest(c, deviceId, enablerId);
            last = mint(c, deviceId, enablerId, endpoint, enabler, previous, rand, now, "SIM");
            nafs.add(new SimPersonalisation.Naf(enabler, last.version, last.expiresAt));
            simPersonalised(c, deviceId, enablerId, last, previous);
          }
          byte[] ks = rootKey(device, endpoint);
          try {
            audit.append(
                c,
                actor,
                "sim.personalised",
                endpoint,
                "B-TID " + last.btid + ", " + nafs.size() + " Enabler(s); profile carries Ks");
            return new SimPersonalisation(endpoint, device.impi(), ks, new BTid(last.btid), nafs);
          } finally {
            Arrays.fill(ks, (byte) 0);
          }
        });
  }

  /**
   * The assignment now follows the SIM: the DM server stops writing and renewing it, and says until
   * when the key it wrote before (if any) keeps working.
   */
  private void simPersonalised(
      Connection c, long deviceId, long enablerId, KeyRow sim, Optional<KeyRow> previous)
      throws SQLException {
    Instant now = clock.instant();
    String before =
        previous
            .filter(k -> !"SIM".equals(k.source) && !"REVOKED".equals(k.state))
            .filter(k -> k.expiresAt.isAfter(now))
            .map(
                k ->
                    "; the DM-written key version "
                        + k.version
                        + " keeps working until "
                        + k.expiresAt
                        + " and is not renewed: insert the card before then")
            .orElse("");
    Database.update(
        c,
        "UPDATE assignment SET state = 'SIM', detail = ?, next_attempt_at = NULL, attempts = 0,"
            + " overwrite_sim = FALSE, key_version = ?, key_expires_at = ?, renew_at = NULL,"
            + " last_connection_result = NULL, updated_at = ? WHERE device_id = ? AND enabler_id = ?",
        "SIM personalised with key version " + sim.version + ", expires " + sim.expiresAt + before,
        sim.version,
        sim.expiresAt,
        now,
        deviceId,
        enablerId);
  }

  void revoke(BTid btid, String actor) {
    db.inTransaction(
        "revoking " + btid,
        c -> {
          List<long[]> pairs =
              Database.query(
                  c,
                  "SELECT device_id, enabler_id FROM key_record WHERE btid = ?",
                  rs -> new long[] {rs.getLong(1), rs.getLong(2)},
                  btid.value());
          if (pairs.isEmpty()) {
            throw new KeyManagerException(Kind.NOT_FOUND, "no key record has B-TID " + btid);
          }
          for (String[] key :
              Database.query(
                  c,
                  "SELECT d.endpoint, e.naf_fqdn FROM key_record k JOIN device d ON d.id ="
                      + " k.device_id JOIN enabler e ON e.id = k.enabler_id WHERE k.btid = ?"
                      + " AND k.state <> 'REVOKED'",
                  rs -> new String[] {rs.getString(1), rs.getString(2)},
                  btid.value())) {
            JdbcInvalidations.record(
                c, btid.value(), key[0], key[1], InvalidationFeed.REVOKED, clock);
          }
          Database.update(
              c, "UPDATE key_record SET state = 'REVOKED' WHERE btid = ?", btid.value());
          for (long[] pair : pairs) {
            Database.update(
                c,
                "UPDATE assignment SET state = ?, detail = ?, next_attempt_at = NULL, updated_at = ?"
                    + " WHERE device_id = ? AND enabler_id = ?",
                ProvisioningState.PENDING.name(),
                "key revoked; a new key is provisioned at the device's next registration update",
                clock.instant(),
                pair[0],
                pair[1]);
          }
          audit.append(c, actor, "key.revoked", btid.value(), pairs.size() + " key record(s)");
          return null;
        });
  }

  private KeyRow mint(
      Connection c,
      long deviceId,
      long enablerId,
      String endpoint,
      EnablerProfile enabler,
      Optional<KeyRow> previous,
      byte[] rand,
      Instant now,
      String source)
      throws SQLException {
    if (previous.isPresent()) {
      // none to supersede at a first minting: the pair has no key record at all
      Database.update(
          c,
          "UPDATE key_record SET state = 'SUPERSEDED' WHERE device_id = ? AND enabler_id = ?"
              + " AND state = 'ACTIVE'",
          deviceId,
          enablerId);
    }
    BTid btid = BTid.of(rand, domain);
    int version = previous.map(k -> k.version + 1).orElse(1);
    Instant expiresAt = now.plus(enabler.keyLifetime());
    Database.update(
        c,
        "INSERT INTO key_record(btid, device_id, enabler_id, rand, version, expires_at, state,"
            + " created_at, source) VALUES (?, ?, ?, ?, ?, ?, 'ACTIVE', ?, ?)",
        btid.value(),
        deviceId,
        enablerId,
        rand,
        version,
        expiresAt,
        now,
        source);
    audit.append(
        c,
        JdbcCredentialAdmin.ACTOR_SYSTEM,
        "key.minted",
        endpoint,
        "B-TID "
            + btid
            + ", Enabler "
            + enabler.fqdn()
            + ", version "
            + version
            + ", expires "
            + expiresAt);
    return new KeyRow(btid.value(), rand, version, expiresAt, "ACTIVE", source);
  }

  private byte[] newRand() {
    byte[] rand = new byte[BTid.RAND_LENGTH];
    random.nextBytes(rand);
    return rand;
  }

  private static void lockAssignment(
      Connection c, long deviceId, long enablerId, String endpoint, String fqdn)
      throws SQLException {
    // Lock the assignment row so that concurrent callers mint at most one new version. An UPDATE
    // that changes nothing locks it as SELECT ... FOR UPDATE would, in H2 and PostgreSQL alike,
    // but H2 keeps it parsed, while it parses a FOR UPDATE query again at every call (12% of the
    // provisioning workers' CPU samples at 7,000 devices); the column it sets is in no index, so
    // PostgreSQL can keep the new row version on its page (a HOT update).
    int locked =
        Database.update(
            c,
            "UPDATE assignment SET attempts = attempts WHERE device_id = ? AND enabler_id = ?",
            deviceId,
            enablerId);
    if (locked == 0) {
      throw new KeyManagerException(
          Kind.NOT_FOUND, "Enabler " + fqdn + " is not assigned to device " + endpoint);
    }
  }

  private static Optional<KeyRow> latest(Connection c, long deviceId, long enablerId)
      throws SQLException {
    return Database.queryOne(
        c,
        "SELECT btid, rand, version, expires_at, state, source FROM key_record"
            + " WHERE device_id = ? AND enabler_id = ? ORDER BY version DESC LIMIT 1",
        KeyRow::of,
        deviceId,
        enablerId);
  }

  /** What deriving a device's keys needs from its row; {@code sealedKs} is still sealed. */
  private record DeviceRow(long id, String impi, byte[] sealedKs) {}

  private record EnablerRow(long id, EnablerProfile profile) {}

  /** The device's root key Ks, decrypted; the caller wipes it. */
  private byte[] rootKey(DeviceRow device, String endpoint) {
    return box.open(device.sealedKs(), "device.ks:" + endpoint);
  }

  private record DeviceAndEnabler(DeviceRow device, EnablerRow enabler) {}

  private static DeviceAndEnabler deviceAndEnabler(Connection c, String endpoint, String fqdn)
      throws SQLException {
    Optional<DeviceAndEnabler> both =
        Database.queryOne(
            c,
            "SELECT d.id AS device_id, d.impi, d.ks_enc, e.id AS enabler_id, e.naf_fqdn, e.ua_id,"
                + " e.uri, e.allow_list, e.cipher_suites, e.key_lifetime_s, e.at_bootstrap"
                + " FROM device d CROSS JOIN enabler e WHERE d.endpoint = ? AND e.naf_fqdn = ?",
            rs ->
                new DeviceAndEnabler(
                    new DeviceRow(
                        rs.getLong("device_id"), rs.getString("impi"), rs.getBytes("ks_enc")),
                    new EnablerRow(rs.getLong("enabler_id"), Rows.enabler(rs))),
            endpoint,
            JdbcCredentialAdmin.normalise(fqdn));
    if (both.isPresent()) {
      return both.get();
    }
    // one of them is missing: these say which (or find both, had they just been added)
    return new DeviceAndEnabler(deviceRow(c, endpoint), enablerRow(c, fqdn));
  }

  private static EnablerRow enablerRow(Connection c, String fqdn) throws SQLException {
    return Database.queryOne(
            c,
            "SELECT * FROM enabler WHERE naf_fqdn = ?",
            rs -> new EnablerRow(rs.getLong("id"), Rows.enabler(rs)),
            JdbcCredentialAdmin.normalise(fqdn))
        .orElseThrow(() -> JdbcCredentialAdmin.unknownEnabler(fqdn));
  }

  private static DeviceRow deviceRow(Connection c, String endpoint) throws SQLException {
    return Database.queryOne(
            c,
            "SELECT id, impi, ks_enc FROM device WHERE endpoint = ?",
            rs -> new DeviceRow(rs.getLong(1), rs.getString(2), rs.getBytes(3)),
            endpoint)
        .orElseThrow(() -> JdbcCredentialAdmin.unknownDevice(endpoint));
  }

  /** A key record row: what minting needs to decide reuse and to derive. */
  private record KeyRow(
      String btid, byte[] rand, int version, Instant expiresAt, String state, String source) {
    static KeyRow of(java.sql.ResultSet rs) throws SQLException {
      return new KeyRow(
          rs.getString("btid"),
          rs.getBytes("rand"),
          rs.getInt("version"),
          Database.instant(rs, "expires_at"),
          rs.getString("state"),
          rs.getString("source"));
    }

    /** Active and not yet due for renewal, so a device never gets a dying key. */
    boolean usableAt(Instant now, Duration lifetime, RenewalPolicy renewal) {
      return "ACTIVE".equals(state) && renewal.fresh(now, expiresAt, lifetime);
    }
  }
}
