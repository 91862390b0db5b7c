package org.keyprov.keys.store;

import java.security.SecureRandom;
import java.time.Clock;
import java.util.Objects;
import javax.sql.DataSource;
import org.keyprov.keys.AuditLog;
import org.keyprov.keys.CredentialAdmin;
import org.keyprov.keys.DmCredentials;
import org.keyprov.keys.EnablerCredentials;
import org.keyprov.keys.InvalidationFeed;
import org.keyprov.keys.KeyManager;
import org.keyprov.keys.MasterKey;
import org.keyprov.keys.OperatorAccounts;
import org.keyprov.keys.OperatorEvents;
import org.keyprov.keys.OperatorSessions;
import org.keyprov.keys.ProvisioningLeases;
import org.keyprov.keys.ProvisioningLedger;
import org.keyprov.keys.PskLookup;
import org.keyprov.keys.RenewalPolicy;

/**
 * The Key Manager over a JDBC {@link DataSource}: build with {@link #builder()}, then {@link
 * #start()} to migrate the schema. Thread-safe once started. Does not own the data source.
 */
public final class JdbcKeyManager implements KeyManager {
  private final DataSource dataSource;
  private final JdbcStores stores;
  private final String domain;
  private final RenewalPolicy renewal;
  private final DatabaseOwner owner;
  private volatile boolean started;

  private JdbcKeyManager(Builder builder) {
    this.dataSource = builder.dataSource;
    this.domain = builder.domain;
    this.stores =
        JdbcStores.over(
            builder.dataSource,
            builder.masterKey,
            builder.domain,
            builder.clock,
            builder.random,
            builder.renewal);
    this.renewal = builder.renewal;
    this.owner =
        new DatabaseOwner(
            new Database(builder.dataSource),
            new ColumnBox(builder.masterKey, builder.random),
            builder.domain);
  }

  /**
   * The domain the database at {@code dataSource} was created with, empty if it is new: for tools
   * that open an existing Key Manager without being told its domain. Brings the schema up to date.
   */
  public static java.util.Optional<String> storedDomain(DataSource dataSource) {
    JdbcStores.migrate(dataSource);
    return DatabaseOwner.domainOf(new Database(dataSource));
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * Brings the schema to the current version and checks the database is this Key Manager's: same
   * domain and master key as the first one started on it (see {@link DatabaseOwner}).
   */
  public JdbcKeyManager start() {
    JdbcStores.migrate(dataSource);
    owner.claimOrCheck();
    started = true;
    return this;
  }

  @Override
  public String domain() {
    return domain;
  }

  @Override
  public RenewalPolicy renewal() {
    return renewal;
  }

  @Override
  public CredentialAdmin admin() {
    return requireStarted().admin();
  }

  @Override
  public DmCredentials dmCredentials() {
    return requireStarted().dmCredentials();
  }

  @Override
  public org.keyprov.keys.BootstrapCredentials bootstrapCredentials() {
    return requireStarted().bootstrapCredentials();
  }

  @Override
  public PskLookup lookup() {
    return requireStarted().lookup();
  }

  @Override
  public ProvisioningLedger ledger() {
    return requireStarted().ledger();
  }

  @Override
  public EnablerCredentials enablerCredentials() {
    return requireStarted().enablerCredentials();
  }

  @Override
  public OperatorAccounts operators() {
    return requireStarted().operators();
  }

  @Override
  public OperatorSessions sessions() {
    return requireStarted().sessions();
  }

  @Override
  public org.keyprov.keys.ApiTokens tokens() {
    return requireStarted().tokens();
  }

  @Override
  public ProvisioningLeases leases() {
    return requireStarted().leases();
  }

  @Override
  public OperatorEvents events() {
    return requireStarted().events();
  }

  @Override
  public org.keyprov.keys.ImportJobs imports() {
    return requireStarted().imports();
  }

  @Override
  public InvalidationFeed invalidations() {
    return requireStarted().invalidations();
  }

  @Override
  public AuditLog audit() {
    return requireStarted().audit();
  }

  private JdbcStores requireStarted() {
    if (!started) {
      throw new IllegalStateException("call start() before using the Key Manager");
    }
    return stores;
  }

  @Override
  public void close() {
    started = false;
  }

  public static final class Builder {
    private DataSource dataSource;
    private MasterKey masterKey;
    private String domain;
    private Clock clock = Clock.systemUTC();
    private SecureRandom random;
    private RenewalPolicy renewal = RenewalPolicy.DEFAULT;

    private Builder() {}

    /**
     * When keys are renewed: default {@link RenewalPolicy#DEFAULT}, the last tenth of a lifetime.
     */
    public Builder renewal(RenewalPolicy renewal) {
      this.renewal = renewal;
      return this;
    }

    /** Required: where devices, Enablers and key records live. */
    public Builder dataSource(DataSource dataSource) {
      this.dataSource = dataSource;
      return this;
    }

    /** Required: the key that encrypts secrets at rest. */
    public Builder masterKey(MasterKey masterKey) {
      this.masterKey = masterKey;
      return this;
    }

    /** Required: the domain of B-TIDs and default IMPIs, e.g. {@code km.example.org}. */
    public Builder domain(String domain) {
      this.domain = domain;
      return this;
    }

    /** Default: the UTC system clock. */
    public Builder clock(Clock clock) {
      this.clock = clock;
      return this;
    }

    /** Default: a new {@link SecureRandom}. */
    public Builder random(SecureRandom random) {
      this.random = random;
      return this;
    }

    public JdbcKeyManager build() {
      Objects.requireNonNull(dataSource, "dataSource");
      Objects.requireNonNull(masterKey, "masterKey");
      Objects.requireNonNull(domain, "domain");
      Objects.requireNonNull(clock, "clock");
      Objects.requireNonNull(renewal, "renewal");
      if (domain.isBlank() || domain.contains("@") || domain.contains(" ")) {
        throw new IllegalArgumentException(
            "the Key Manager domain must be a host name such as km.example.org, got '"
                + domain
                + "'");
      }
      if (random == null) {
        random = new SecureRandom();
      }
      return new JdbcKeyManager(this);
    }
  }
}
