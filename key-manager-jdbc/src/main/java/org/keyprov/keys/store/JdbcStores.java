package org.keyprov.keys.store;

import java.security.SecureRandom;
import java.time.Clock;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.keyprov.keys.AuditLog;
import org.keyprov.keys.CredentialAdmin;
import org.keyprov.keys.DmCredentials;
import org.keyprov.keys.EnablerCredentials;
import org.keyprov.keys.InvalidationFeed;
import org.keyprov.keys.MasterKey;
import org.keyprov.keys.OperatorAccounts;
import org.keyprov.keys.OperatorEvents;
import org.keyprov.keys.OperatorSessions;
import org.keyprov.keys.ProvisioningLeases;
import org.keyprov.keys.ProvisioningLedger;
import org.keyprov.keys.PskLookup;
import org.keyprov.keys.RenewalPolicy;

/**
 * The JDBC-backed parts of the Key Manager over one {@link DataSource}. Used by {@code KeyManager};
 * not an API of its own.
 */
record JdbcStores(
    CredentialAdmin admin,
    DmCredentials dmCredentials,
    org.keyprov.keys.BootstrapCredentials bootstrapCredentials,
    PskLookup lookup,
    ProvisioningLedger ledger,
    AuditLog audit,
    EnablerCredentials enablerCredentials,
    OperatorAccounts operators,
    OperatorSessions sessions,
    org.keyprov.keys.ApiTokens tokens,
    ProvisioningLeases leases,
    OperatorEvents events,
    org.keyprov.keys.ImportJobs imports,
    InvalidationFeed invalidations) {

  /**
   * Applies the versioned schema migrations (Flyway) to the database: the shared ones ({@code
   * migration/common}) and the database's own ({@code migration/h2} or {@code
   * migration/postgresql}, which differ only in binary column types).
   */
  static void migrate(DataSource dataSource) {
    String base = "classpath:org/keyprov/keys/store/migration/";
    Flyway.configure()
        .dataSource(dataSource)
        .locations(base + "common", base + Vendor.of(dataSource).migrations)
        .load()
        .migrate();
  }

  public static JdbcStores over(
      DataSource dataSource,
      MasterKey masterKey,
      String domain,
      Clock clock,
      SecureRandom random,
      RenewalPolicy renewal) {
    Database db = new Database(dataSource);
    ColumnBox box = new ColumnBox(masterKey, random);
    JdbcAuditLog audit = new JdbcAuditLog(db, clock);
    JdbcCredentialAdmin admin =
        new JdbcCredentialAdmin(db, box, audit, domain, clock, random, renewal);
    return new JdbcStores(
        admin,
        admin,
        admin.bootstrap(),
        new JdbcPskLookup(db, box, audit, clock),
        new JdbcLedger(db, audit, clock),
        audit,
        new JdbcEnablerCredentials(db, audit, clock, random),
        new JdbcOperatorAccounts(db, audit, clock, random),
        new JdbcOperatorSessions(db),
        new JdbcApiTokens(db, audit, clock, random),
        new JdbcLeases(db),
        new JdbcOperatorEvents(db, clock),
        new JdbcImportJobs(db, clock, random),
        new JdbcInvalidations(db, clock));
  }
}
