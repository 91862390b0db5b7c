package org.keyprov.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import javax.sql.DataSource;
import org.keyprov.keys.EnablerParameters;
import org.keyprov.keys.EnablerProfile;
import org.keyprov.keys.KeyManager;
import org.keyprov.keys.MasterKey;
import org.keyprov.keys.NewDevice;
import org.keyprov.keys.gba.BTid;
import org.keyprov.keys.store.JdbcKeyManager;
import org.keyprov.keys.store.JdbcPool;

/**
 * A Key Manager on an H2 file holding N devices, each with an assignment and an active key record
 * for the bench Enabler. Devices go in through the public bulk API (so secrets are sealed as in
 * production); assignments and key records, which hold no secrets, go in with JDBC batches to keep
 * seeding 1M devices in minutes. Seeded once per directory and reused.
 */
final class BenchStore implements AutoCloseable {
  static final String DOMAIN = "km.bench";
  static final MasterKey MASTER_KEY = MasterKey.of(new byte[32]);

  /** An identity and key a load generator presents. */
  record Credential(String identity, byte[] key) {}

  final KeyManager km;
  private final JdbcPool pool;
  private final DataSource ds;

  private BenchStore(KeyManager km, JdbcPool pool) {
    this.km = km;
    this.pool = pool;
    this.ds = pool.dataSource();
  }

  static BenchStore open(Path dir, int poolSize) {
    // as keyprov server opens it (Storage): enough cached statements for a provisioning pass
    JdbcPool pool = JdbcPool.h2(dir.resolve("bench"), poolSize, "QUERY_CACHE_SIZE=64");
    KeyManager km =
        JdbcKeyManager.builder()
            .dataSource(pool.dataSource())
            .masterKey(MASTER_KEY)
            .domain(DOMAIN)
            .build()
            .start();
    return new BenchStore(km, pool);
  }

  /** Seeds {@code devices} devices for {@code enabler} unless the directory already holds them. */
  static BenchStore seeded(Path dir, int devices, EnablerProfile enabler)
      throws SQLException, IOException {
    Files.createDirectories(dir);
    BenchStore store = open(dir, 16);
    store.km.admin().putEnabler(enabler, "bench");
    int have = store.count();
    if (have >= devices) {
      return store;
    }
    SecureRandom random = new SecureRandom();
    int batch = 10_000;
    for (int from = have; from < devices; from += batch) {
      List<NewDevice> list = new ArrayList<>();
      for (int i = from; i < Math.min(devices, from + batch); i++) {
        byte[] psk = new byte[16];
        random.nextBytes(psk);
        list.add(new NewDevice(endpoint(i), endpoint(i), psk));
      }
      store.km.admin().addDevices(list, "bench");
      store.keyRecords(from, Math.min(devices, from + batch), enabler, random);
    }
    return store;
  }

  static String endpoint(int i) {
    return String.format("bench-%07d", i);
  }

  private int count() throws SQLException {
    try (Connection c = ds.getConnection();
        var rs = c.createStatement().executeQuery("SELECT COUNT(*) FROM key_record")) {
      rs.next();
      return rs.getInt(1);
    }
  }

  private void keyRecords(int from, int to, EnablerProfile enabler, SecureRandom random)
      throws SQLException {
    OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
    OffsetDateTime expires = now.plusDays(30);
    try (Connection c = ds.getConnection()) {
      c.setAutoCommit(false);
      long enablerId;
      try (PreparedStatement ps = c.prepareStatement("SELECT id FROM enabler WHERE naf_fqdn = ?")) {
        ps.setString(1, enabler.fqdn());
        var rs = ps.executeQuery();
        rs.next();
        enablerId = rs.getLong(1);
      }
      try (PreparedStatement ids = c.prepareStatement("SELECT id FROM device WHERE endpoint = ?");
          PreparedStatement assignment =
              c.prepareStatement(
                  "INSERT INTO assignment(device_id, enabler_id, state, detail, attempts, updated_at)"
                      + " VALUES (?, ?, 'PROVISIONED', 'seeded', 0, ?)");
          PreparedStatement key =
              c.prepareStatement(
                  "INSERT INTO key_record(btid, device_id, enabler_id, rand, version, expires_at,"
                      + " state, created_at) VALUES (?, ?, ?, ?, 1, ?, 'ACTIVE', ?)")) {
        for (int i = from; i < to; i++) {
          ids.setString(1, endpoint(i));
          var rs = ids.executeQuery();
          rs.next();
          long deviceId = rs.getLong(1);
          assignment.setLong(1, deviceId);
          assignment.setLong(2, enablerId);
          assignment.setObject(3, now);
          assignment.addBatch();
          byte[] rand = new byte[BTid.RAND_LENGTH];
          random.nextBytes(rand);
          key.setString(1, BTid.of(rand, DOMAIN).value());
          key.setLong(2, deviceId);
          key.setLong(3, enablerId);
          key.setBytes(4, rand);
          key.setObject(5, expires);
          key.setObject(6, now);
          key.addBatch();
        }
        assignment.executeBatch();
        key.executeBatch();
      }
      c.commit();
    }
  }

  /** The identities and keys of the first {@code n} devices, as the Key Manager derives them. */
  List<Credential> sample(int n, EnablerProfile enabler) {
    List<Credential> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      EnablerParameters p = km.admin().currentParameters(endpoint(i), enabler.fqdn());
      out.add(new Credential(p.btid().value(), p.key()));
    }
    return out;
  }

  static void write(Path file, List<Credential> credentials) throws IOException {
    List<String> lines = new ArrayList<>();
    for (Credential c : credentials) {
      lines.add(c.identity() + "\t" + HexFormat.of().formatHex(c.key()));
    }
    Files.write(file, lines);
  }

  static List<Credential> read(Path file) throws IOException {
    List<Credential> out = new ArrayList<>();
    for (String line : Files.readAllLines(file)) {
      String[] parts = line.split("\t");
      out.add(new Credential(parts[0], HexFormat.of().parseHex(parts[1])));
    }
    return out;
  }

  static Instant now() {
    return Instant.now();
  }

  @Override
  public void close() {
    km.close();
    pool.close();
  }
}
