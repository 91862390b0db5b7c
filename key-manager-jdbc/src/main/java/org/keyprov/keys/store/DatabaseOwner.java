package org.keyprov.keys.store;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.Base64;
import java.util.Optional;
import org.keyprov.keys.KeyManagerException;
import org.keyprov.keys.KeyManagerException.Kind;

/**
 * Whose database this is: the first Key Manager to start on it stores its domain and a value sealed
 * under its master key; every later one — a restart, another node — must match both, or it is
 * refused before it mints or seals anything. A database from before this check is claimed by the
 * first Key Manager that can open one of its secrets and whose domain its devices carry.
 */
final class DatabaseOwner {
  private static final String CHECK_CONTEXT = "key_manager_setting.master_key_check";
  private static final byte[] CHECK = "keyprov master key check".getBytes(StandardCharsets.UTF_8);

  private final Database db;
  private final ColumnBox box;
  private final String domain;

  DatabaseOwner(Database db, ColumnBox box, String domain) {
    this.db = db;
    this.box = box;
    this.domain = domain;
  }

  void claimOrCheck() {
    try {
      db.inTransaction("checking the database's domain and master key", this::claimOrCheck);
    } catch (KeyManagerException e) {
      if (e.kind() != Kind.CONFLICT) {
        throw e;
      }
      // another node claimed it at the same moment: check against what it stored
      db.inTransaction("checking the database's domain and master key", this::claimOrCheck);
    }
  }

  /**
   * The domain the database was created with: the stored one, or for a database from before the
   * owner check, the one its first device's IMPI carries; empty for a new database.
   */
  static Optional<String> domainOf(Database db) {
    return db.inTransaction(
        "reading the database's domain",
        c -> {
          Optional<String> stored = setting(c, "domain");
          return stored.isPresent() ? stored : firstDevice(c).map(d -> domainOf(d.impi()));
        });
  }

  private Void claimOrCheck(Connection c) throws SQLException {
    Optional<String> storedDomain = setting(c, "domain");
    Optional<String> storedCheck = setting(c, "master_key_check");
    if (storedDomain.isPresent() && storedCheck.isPresent()) {
      checkDomain(storedDomain.get());
      checkMasterKey(Base64.getDecoder().decode(storedCheck.get()), CHECK_CONTEXT);
      return null;
    }
    Optional<FirstDevice> device = firstDevice(c);
    if (device.isPresent()) {
      checkDomain(domainOf(device.get().impi()));
      checkMasterKey(device.get().ksEnc(), "device.ks:" + device.get().endpoint());
    }
    Database.update(
        c, "INSERT INTO key_manager_setting(name, setting) VALUES ('domain', ?)", domain);
    Database.update(
        c,
        "INSERT INTO key_manager_setting(name, setting) VALUES ('master_key_check', ?)",
        Base64.getEncoder().encodeToString(box.seal(CHECK, CHECK_CONTEXT)));
    return null;
  }

  private void checkDomain(String stored) {
    if (!stored.equals(domain)) {
      throw new KeyManagerException(
          Kind.INVALID,
          "this database belongs to Key Manager domain '"
              + stored
              + "', not '"
              + domain
              + "': its devices' IMPIs and B-TIDs carry that domain, so start with --domain "
              + stored);
    }
  }

  private void checkMasterKey(byte[] sealed, String context) {
    byte[] opened;
    try {
      opened = box.open(sealed, context);
    } catch (KeyManagerException e) {
      throw new KeyManagerException(
          Kind.STORAGE,
          "the master key is not the one this database was created with: every process that"
              + " opens it needs the same key (KEYPROV_MASTER_KEY or master.key); nothing was"
              + " changed");
    }
    Arrays.fill(opened, (byte) 0);
  }

  private record FirstDevice(String endpoint, String impi, byte[] ksEnc) {}

  private static Optional<FirstDevice> firstDevice(Connection c) throws SQLException {
    return Database.queryOne(
        c,
        "SELECT endpoint, impi, ks_enc FROM device ORDER BY id LIMIT 1",
        rs -> new FirstDevice(rs.getString(1), rs.getString(2), rs.getBytes(3)));
  }

  private static String domainOf(String impi) {
    return impi.substring(impi.lastIndexOf('@') + 1);
  }

  private static Optional<String> setting(Connection c, String name) throws SQLException {
    return Database.queryOne(
        c, "SELECT setting FROM key_manager_setting WHERE name = ?", rs -> rs.getString(1), name);
  }
}
