package org.keyprov.keys.store;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.keyprov.keys.Assignment;
import org.keyprov.keys.ProvisioningLedger;
import org.keyprov.keys.ProvisioningState;

final class JdbcLedger implements ProvisioningLedger {
  /**
   * What an operator should read as the state (see {@link Assignment}); takes the current time as
   * its one parameter. Shared by the rows and the counts, so both tell the same story. No {@code
   * LIKE}: H2 parses a statement with one again at every execution (its plan depends on the
   * pattern), and this one runs in every provisioning pass.
   */
  static final String SHOWN_STATE =
      "CASE WHEN a.state IN ('PROVISIONED', 'SIM') AND a.key_expires_at <= ? THEN 'EXPIRED'"
          + " WHEN a.state IN ('PROVISIONED', 'SIM') AND LEFT(a.last_connection_result, 6) = 'FAILED'"
          + " THEN 'FAILED'"
          + " ELSE a.state END";

  /** An assignment row's columns, as {@link #row} reads them; the shown state takes the time. */
  private static final String COLUMNS =
      "SELECT d.endpoint, e.naf_fqdn, " + SHOWN_STATE + " AS shown_state, a.*";

  private static final String JOINS =
      " FROM assignment a JOIN device d ON d.id = a.device_id"
          + " JOIN enabler e ON e.id = a.enabler_id";

  private static final String FROM = COLUMNS + JOINS;
  private static final String SELECT = FROM + " WHERE d.endpoint = ?";
  private static final int IN_LIST = 500;

  private final Database db;
  private final JdbcAuditLog audit;
  private final Clock clock;

  JdbcLedger(Database db, JdbcAuditLog audit, Clock clock) {
    this.db = db;
    this.audit = audit;
    this.clock = clock;
  }

  @Override
  public List<Assignment> assignments(String endpoint) {
    return db.inTransaction(
        "reading assignments of " + endpoint,
        c ->
            Database.query(
                c, SELECT + " ORDER BY e.naf_fqdn", JdbcLedger::row, clock.instant(), endpoint));
  }

  @Override
  public Map<String, List<Assignment>> assignments(Collection<String> endpoints) {
    Map<String, List<Assignment>> out = new LinkedHashMap<>();
    endpoints.forEach(e -> out.put(e, new ArrayList<>()));
    List<String> distinct = List.copyOf(out.keySet());
    for (int from = 0; from < distinct.size(); from += IN_LIST) {
      List<String> chunk = distinct.subList(from, Math.min(distinct.size(), from + IN_LIST));
      String marks = String.join(", ", Collections.nCopies(chunk.size(), "?"));
      List<Assignment> rows =
          db.inTransaction(
              "reading assignments of " + chunk.size() + " devices",
              c ->
                  Database.query(
                      c,
                      FROM + " WHERE d.endpoint IN (" + marks + ") ORDER BY d.endpoint, e.naf_fqdn",
                      JdbcLedger::row,
                      prepend(clock.instant(), chunk.toArray())));
      rows.forEach(a -> out.get(a.endpoint()).add(a));
    }
    return out;
  }

  /** Whether the assignment is due at the time given twice; see {@link Plan#due}. */
  private static final String IS_DUE =
      "a.state IN ('PENDING', 'UNSUPPORTED') OR (a.state = 'FAILED' AND a.next_attempt_at <= ?)"
          + " OR (a.state = 'PROVISIONED' AND a.renew_at <= ?)";

  /** When the assignment falls due, if it ever does by itself: a retry or a renewal. */
  private static final String FALLS_DUE =
      "CASE WHEN a.state = 'FAILED' THEN a.next_attempt_at"
          + " WHEN a.state = 'PROVISIONED' THEN a.renew_at END";

  @Override
  public Plan plan(String endpoint, Instant now) {
    // one statement for both: this runs at every registration and update of every device
    record Row(Assignment assignment, boolean due, Instant fallsDue) {}
    List<Row> rows =
        db.inTransaction(
            "reading due assignments of " + endpoint,
            c ->
                Database.query(
                    c,
                    COLUMNS
                        + ", CASE WHEN "
                        + IS_DUE
                        + " THEN TRUE ELSE FALSE END AS is_due, "
                        + FALLS_DUE
                        + " AS falls_due"
                        + JOINS
                        + " WHERE d.endpoint = ? ORDER BY e.naf_fqdn",
                    rs ->
                        new Row(
                            row(rs), rs.getBoolean("is_due"), Database.instant(rs, "falls_due")),
                    now,
                    now,
                    now,
                    endpoint));
    return new Plan(
        rows.stream().filter(Row::due).map(Row::assignment).toList(),
        rows.stream().map(Row::fallsDue).filter(Objects::nonNull).min(Instant::compareTo));
  }

  @Override
  public void provisioned(
      String endpoint, String fqdn, int keyVersion, Instant expiresAt, Instant renewAt) {
    db.inTransaction(
        "recording provisioning of " + endpoint,
        c -> {
          String detail = "key version " + keyVersion + " written, expires " + expiresAt;
          // one statement (this runs once per device provisioned); the lookups only to explain
          int n =
              Database.update(
                  c,
                  "UPDATE assignment SET state = 'PROVISIONED', detail = ?, next_attempt_at = NULL,"
                      + " updated_at = ?, attempts = 0, overwrite_sim = FALSE,"
                      + " last_connection_result = CASE WHEN key_version = ? THEN"
                      + " last_connection_result ELSE NULL END,"
                      + " key_version = ?, key_expires_at = ?, renew_at = ?"
                      + " WHERE device_id = (SELECT id FROM device WHERE endpoint = ?)"
                      + " AND enabler_id = (SELECT id FROM enabler WHERE naf_fqdn = ?)",
                  detail,
                  clock.instant(),
                  keyVersion,
                  keyVersion,
                  expiresAt,
                  renewAt,
                  endpoint,
                  JdbcCredentialAdmin.normalise(fqdn));
          if (n == 0) {
            JdbcCredentialAdmin.deviceId(c, endpoint);
            JdbcCredentialAdmin.enablerId(c, fqdn);
          }
          audit.append(
              c,
              JdbcCredentialAdmin.ACTOR_SYSTEM,
              "provisioning.provisioned",
              endpoint,
              "Enabler " + fqdn + ": " + detail);
          return null;
        });
  }

  @Override
  public void failed(String endpoint, String fqdn, String reason, Instant nextAttemptAt) {
    change(endpoint, fqdn, ProvisioningState.FAILED, reason, nextAttemptAt, true);
  }

  @Override
  public void fromSim(String endpoint, String fqdn) {
    db.inTransaction(
        "recording SIM parameters of " + endpoint,
        c -> {
          long deviceId = JdbcCredentialAdmin.deviceId(c, endpoint);
          long enablerId = JdbcCredentialAdmin.enablerId(c, fqdn);
          // the SIM's key is the newest one minted for a SIM; none if the card was made elsewhere
          String simKey =
              " FROM key_record WHERE device_id = a.device_id AND enabler_id = a.enabler_id"
                  + " AND source = 'SIM' ORDER BY version DESC LIMIT 1)";
          Database.update(
              c,
              "UPDATE assignment a SET state = 'SIM', detail = ?, next_attempt_at = NULL,"
                  + " updated_at = ?, attempts = 0, renew_at = NULL,"
                  + " key_version = (SELECT version"
                  + simKey
                  + ", key_expires_at = (SELECT expires_at"
                  + simKey
                  + " WHERE device_id = ? AND enabler_id = ?",
              "parameters come from the device's SIM; left as they are",
              clock.instant(),
              deviceId,
              enablerId);
          audit.append(
              c,
              JdbcCredentialAdmin.ACTOR_SYSTEM,
              "provisioning.sim",
              endpoint,
              "Enabler " + fqdn + ": parameters come from the device's SIM");
          return null;
        });
  }

  @Override
  public void reprovision(String endpoint, String fqdn, boolean overwriteSim, String actor) {
    db.inTransaction(
        "asking to provision " + endpoint + " again",
        c -> {
          int n =
              Database.update(
                  c,
                  "UPDATE assignment SET state = ?, detail = ?, next_attempt_at = NULL,"
                      + " overwrite_sim = ?, updated_at = ? WHERE device_id = ? AND enabler_id = ?",
                  ProvisioningState.PENDING.name(),
                  overwriteSim
                      ? "operator asked to provision again, replacing SIM parameters"
                      : "operator asked to provision again",
                  overwriteSim,
                  clock.instant(),
                  JdbcCredentialAdmin.deviceId(c, endpoint),
                  JdbcCredentialAdmin.enablerId(c, fqdn));
          if (n == 0) {
            throw new org.keyprov.keys.KeyManagerException(
                org.keyprov.keys.KeyManagerException.Kind.NOT_FOUND,
                "Enabler " + fqdn + " is not assigned to device " + endpoint);
          }
          audit.append(
              c,
              actor,
              "provisioning.requested",
              endpoint,
              "Enabler " + fqdn + (overwriteSim ? ", overwrite SIM parameters" : ""));
          return null;
        });
  }

  @Override
  public void unsupported(String endpoint, String fqdn, String reason) {
    change(endpoint, fqdn, ProvisioningState.UNSUPPORTED, reason, null, true);
  }

  /**
   * Any state but a DM-written key. Unsupported or from the SIM: nothing for the DM server to
   * renew; failed: the device keeps the key it holds, retried at {@code nextAttemptAt}.
   */
  private void change(
      String endpoint,
      String fqdn,
      ProvisioningState state,
      String detail,
      Instant nextAttemptAt,
      boolean countAttempt) {
    db.inTransaction(
        "recording provisioning of " + endpoint,
        c -> {
          Database.update(
              c,
              "UPDATE assignment SET state = ?, detail = ?, next_attempt_at = ?, updated_at = ?,"
                  // a failed attempt leaves what the device holds as it was
                  + (state == ProvisioningState.FAILED
                      ? ""
                      : " renew_at = NULL, key_expires_at = NULL, key_version = NULL,")
                  + " attempts = CASE WHEN ? THEN attempts + 1 ELSE 0 END,"
                  + " overwrite_sim = CASE WHEN ? = 'PROVISIONED' THEN FALSE ELSE overwrite_sim END"
                  + " WHERE device_id = ? AND enabler_id = ?",
              state.name(),
              detail,
              nextAttemptAt,
              clock.instant(),
              countAttempt,
              state.name(),
              JdbcCredentialAdmin.deviceId(c, endpoint),
              JdbcCredentialAdmin.enablerId(c, fqdn));
          audit.append(
              c,
              JdbcCredentialAdmin.ACTOR_SYSTEM,
              "provisioning." + state.name().toLowerCase(java.util.Locale.ROOT),
              endpoint,
              "Enabler " + fqdn + ": " + detail);
          return null;
        });
  }

  @Override
  public void connectionReported(String endpoint, String fqdn, String result) {
    db.inTransaction(
        "recording a connection result of " + endpoint,
        c -> {
          Database.update(
              c,
              "UPDATE assignment SET last_connection_result = ?, updated_at = ?"
                  + " WHERE device_id = ? AND enabler_id = ?",
              result,
              clock.instant(),
              JdbcCredentialAdmin.deviceId(c, endpoint),
              JdbcCredentialAdmin.enablerId(c, fqdn));
          audit.append(
              c, endpoint, "connection.reported", endpoint, "Enabler " + fqdn + ": " + result);
          return null;
        });
  }

  /** How many assignments there are per shown state, every state present. */
  static Map<String, Long> countsByState(java.sql.Connection c, Instant now) throws SQLException {
    Map<String, Long> counts = new LinkedHashMap<>();
    for (ProvisioningState s : ProvisioningState.values()) {
      counts.put(s.name().toLowerCase(java.util.Locale.ROOT), 0L);
    }
    Database.query(
            c,
            "SELECT s, COUNT(*) FROM (SELECT "
                + SHOWN_STATE
                + " AS s FROM assignment a) shown GROUP BY s",
            rs -> new Object[] {rs.getString(1), rs.getLong(2)},
            now)
        .forEach(r -> counts.put(((String) r[0]).toLowerCase(java.util.Locale.ROOT), (Long) r[1]));
    return counts;
  }

  private static Object[] prepend(Object first, Object[] rest) {
    Object[] all = new Object[rest.length + 1];
    all[0] = first;
    System.arraycopy(rest, 0, all, 1, rest.length);
    return all;
  }

  private static Assignment row(ResultSet rs) throws SQLException {
    ProvisioningState stored = ProvisioningState.valueOf(rs.getString("state"));
    ProvisioningState shown = ProvisioningState.valueOf(rs.getString("shown_state"));
    Optional<Instant> expiresAt = Optional.ofNullable(Database.instant(rs, "key_expires_at"));
    String detail = rs.getString("detail");
    if (shown == ProvisioningState.EXPIRED && stored == ProvisioningState.SIM) {
      detail =
          "the SIM's key expired at "
              + expiresAt.orElseThrow()
              + "; personalise the SIM again (keyprov sim personalize) or provision over DM"
              + " (keyprov admin reprovision --overwrite-sim)";
    } else if (shown == ProvisioningState.EXPIRED && stored != shown) {
      detail =
          "the key the device holds expired at "
              + expiresAt.orElseThrow()
              + "; it is renewed at the device's next registration or update";
    } else if (shown == ProvisioningState.FAILED && stored != shown) {
      detail = detail + "; the device's last connection to the Enabler failed";
    }
    int version = rs.getInt("key_version");
    Optional<Integer> keyVersion = rs.wasNull() ? Optional.empty() : Optional.of(version);
    return new Assignment(
        rs.getString("endpoint"),
        rs.getString("naf_fqdn"),
        shown,
        detail,
        rs.getInt("attempts"),
        Optional.ofNullable(Database.instant(rs, "next_attempt_at")),
        Optional.ofNullable(rs.getString("last_connection_result")),
        Database.instant(rs, "updated_at"),
        rs.getBoolean("overwrite_sim"),
        keyVersion,
        expiresAt);
  }
}
