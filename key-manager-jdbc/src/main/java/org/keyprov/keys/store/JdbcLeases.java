package org.keyprov.keys.store;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.keyprov.keys.KeyManagerException;
import org.keyprov.keys.KeyManagerException.Kind;
import org.keyprov.keys.ProvisioningLeases;

/**
 * Leases in {@code device_lease}: the device's row is locked while a lease is taken, so two nodes
 * asking at once are served one after the other.
 */
final class JdbcLeases implements ProvisioningLeases {
  private final Database db;

  JdbcLeases(Database db) {
    this.db = db;
  }

  @Override
  public boolean take(String endpoint, String node, Instant now, Duration term) {
    return take(endpoint, node, now, term, false);
  }

  @Override
  public void takeOver(String endpoint, String node, Instant now, Duration term) {
    take(endpoint, node, now, term, true);
  }

  private boolean take(String endpoint, String node, Instant now, Duration term, boolean force) {
    return db.inTransaction(
        "taking the provisioning lease of " + endpoint,
        c -> {
          long deviceId =
              Database.queryOne(
                      c,
                      "SELECT id FROM device WHERE endpoint = ? FOR UPDATE",
                      rs -> rs.getLong(1),
                      endpoint)
                  .orElseThrow(
                      () ->
                          new KeyManagerException(
                              Kind.NOT_FOUND, "no device has endpoint '" + endpoint + "'"));
          Optional<Boolean> free =
              Database.queryOne(
                  c,
                  "SELECT node = ? OR until <= ? FROM device_lease WHERE device_id = ?",
                  rs -> rs.getBoolean(1),
                  node,
                  now,
                  deviceId);
          if (free.isEmpty()) {
            Database.update(
                c,
                "INSERT INTO device_lease(device_id, node, until) VALUES (?, ?, ?)",
                deviceId,
                node,
                now.plus(term));
            return true;
          }
          if (!free.get() && !force) {
            return false;
          }
          Database.update(
              c,
              "UPDATE device_lease SET node = ?, until = ? WHERE device_id = ?",
              node,
              now.plus(term),
              deviceId);
          return true;
        });
  }

  @Override
  public void release(String endpoint, String node) {
    db.inTransaction(
        "releasing the provisioning lease of " + endpoint,
        c ->
            Database.update(
                c,
                "DELETE FROM device_lease WHERE node = ? AND device_id ="
                    + " (SELECT id FROM device WHERE endpoint = ?)",
                node,
                endpoint));
  }
}
