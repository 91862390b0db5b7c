package org.keyprov.keys.store;

import java.time.Clock;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.keyprov.keys.LookupResult;
import org.keyprov.keys.LookupResult.Granted;
import org.keyprov.keys.LookupResult.Refusal;
import org.keyprov.keys.LookupResult.Refused;
import org.keyprov.keys.NafKey;
import org.keyprov.keys.PskLookup;
import org.keyprov.keys.ThrottledAudit;
import org.keyprov.keys.gba.BTid;
import org.keyprov.keys.gba.GbaKdf;
import org.keyprov.keys.gba.NafId;
import org.keyprov.keys.gba.UaSecurityProtocolId;

/** Answers Enabler lookups from the key records, deriving Ks_NAF on demand. Audits each answer. */
final class JdbcPskLookup implements PskLookup {
  private static final String QUERY =
      "SELECT k.btid, k.rand, k.version, k.expires_at, k.state, d.endpoint, d.impi, d.ks_enc,"
          + " e.naf_fqdn, e.ua_id FROM key_record k JOIN device d ON d.id = k.device_id"
          + " JOIN enabler e ON e.id = k.enabler_id WHERE k.btid = ?";

  private final Database db;
  private final ColumnBox box;
  private final JdbcAuditLog audit;
  private final Clock clock;

  /** One budget per Enabler, so that one flooding Enabler cannot hide another's reports. */
  private final java.util.Map<String, ThrottledAudit> failures =
      new java.util.concurrent.ConcurrentHashMap<>();

  JdbcPskLookup(Database db, ColumnBox box, JdbcAuditLog audit, Clock clock) {
    this.db = db;
    this.box = box;
    this.audit = audit;
    this.clock = clock;
  }

  @Override
  public LookupResult lookup(String pskIdentity, NafId nafId) {
    Optional<BTid> btid = BTid.fromPskIdentity(pskIdentity);
    String shown = printable(pskIdentity);
    // the answer and its audit line share one transaction: one connection, one commit
    return db.inTransaction(
        "looking up " + shown,
        c -> {
          LookupResult result =
              btid.isEmpty()
                  ? new Refused(Refusal.UNKNOWN_IDENTITY, "the PSK identity is not a B-TID")
                  : answer(c, btid.get(), nafId);
          audit.append(c, nafId.fqdn(), "key.lookup", shown, outcome(result) + "; NAF_Id " + nafId);
          return result;
        });
  }

  /**
   * Audits {@code handshake.failed}, naming the device and key version the identity belongs to, at
   * most {@value #FAILURES_PER_MINUTE} rows a minute per Enabler.
   */
  @Override
  public void handshakeFailed(String pskIdentity, NafId nafId, String reason) {
    String shown = printable(pskIdentity);
    String whose =
        BTid.fromPskIdentity(pskIdentity)
            .flatMap(
                btid ->
                    db.inTransaction(
                        "reading the key of " + shown,
                        c ->
                            Database.query(c, QUERY, Row::of, btid.value()).stream()
                                .filter(r -> r.nafId.equals(nafId))
                                .findFirst()
                                .map(r -> "device " + r.endpoint + ", key version " + r.version)))
            .orElse("no key of this Enabler has this identity");
    String cause = printable(reason);
    failures
        .computeIfAbsent(
            nafId.fqdn(),
            fqdn ->
                new ThrottledAudit(
                    audit, clock, FAILURES_PER_MINUTE, fqdn, "handshake.failed.suppressed"))
        .record(
            "handshake.failed",
            shown,
            whose + ": the device's key did not match the granted one (" + cause + ")");
  }

  private static final int FAILURES_PER_MINUTE = 60;

  private static String outcome(LookupResult result) {
    if (result instanceof Granted g) {
      return "granted, key version " + g.key().keyVersion();
    }
    Refused r = (Refused) result;
    return "refused " + r.reason() + " (" + r.reason().znResultCode() + "): " + r.message();
  }

  private LookupResult answer(java.sql.Connection c, BTid btid, NafId nafId)
      throws java.sql.SQLException {
    List<Row> rows = Database.query(c, QUERY, Row::of, btid.value());
    if (rows.isEmpty()) {
      return new Refused(Refusal.UNKNOWN_IDENTITY, "no key record has this B-TID");
    }
    Optional<Row> found = rows.stream().filter(r -> r.nafId.equals(nafId)).findFirst();
    if (found.isEmpty()) {
      return new Refused(Refusal.OTHER_NAF, "the key was minted for another NAF_Id than " + nafId);
    }
    Row row = found.get();
    // a superseded key (a newer version was minted) stays valid until its own expiry, so a device
    // that has not switched yet, and sessions and caches in flight, never break at a renewal
    if (!"ACTIVE".equals(row.state) && !"SUPERSEDED".equals(row.state)) {
      return new Refused(
          Refusal.REVOKED, "the key record is " + row.state.toLowerCase(java.util.Locale.ROOT));
    }
    Instant now = clock.instant();
    if (!now.isBefore(row.expiresAt)) {
      return new Refused(Refusal.EXPIRED, "the key expired at " + row.expiresAt);
    }
    byte[] ks = box.open(row.ksSealed, "device.ks:" + row.endpoint);
    byte[] key = GbaKdf.deriveNafKey(ks, row.rand, row.impi, nafId, GbaKdf.Variant.GBA_ME);
    try {
      return new Granted(new NafKey(btid, key, row.expiresAt, row.impi, row.endpoint, row.version));
    } finally {
      Arrays.fill(ks, (byte) 0);
      Arrays.fill(key, (byte) 0);
    }
  }

  private static String printable(String identity) {
    if (identity == null) {
      return "(none)";
    }
    String cut = identity.length() > 200 ? identity.substring(0, 200) + "…" : identity;
    return cut.codePoints()
        .map(cp -> Character.isISOControl(cp) ? '?' : cp)
        .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append)
        .toString();
  }

  private record Row(
      byte[] rand,
      int version,
      Instant expiresAt,
      String state,
      String endpoint,
      String impi,
      byte[] ksSealed,
      NafId nafId) {
    static Row of(java.sql.ResultSet rs) throws java.sql.SQLException {
      return new Row(
          rs.getBytes("rand"),
          rs.getInt("version"),
          Database.instant(rs, "expires_at"),
          rs.getString("state"),
          rs.getString("endpoint"),
          rs.getString("impi"),
          rs.getBytes("ks_enc"),
          new NafId(rs.getString("naf_fqdn"), UaSecurityProtocolId.of(rs.getBytes("ua_id"))));
    }
  }
}
