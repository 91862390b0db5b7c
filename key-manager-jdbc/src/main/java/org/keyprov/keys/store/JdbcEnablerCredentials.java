package org.keyprov.keys.store;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import org.keyprov.keys.EnablerCredentials;
import org.keyprov.keys.KeyManagerException;
import org.keyprov.keys.KeyManagerException.Kind;

/**
 * Enabler credentials: 32 random bytes, base64url with a {@code kpe_} prefix. They carry 256 bits
 * of entropy, so a SHA-256 of the secret is a safe verifier (no password stretching needed) and
 * lets lookups find the row by hash in one indexed query.
 */
final class JdbcEnablerCredentials implements EnablerCredentials {
  private static final String PREFIX = "kpe_";

  private final Database db;
  private final JdbcAuditLog audit;
  private final Clock clock;
  private final SecureRandom random;

  JdbcEnablerCredentials(Database db, JdbcAuditLog audit, Clock clock, SecureRandom random) {
    this.db = db;
    this.audit = audit;
    this.clock = clock;
    this.random = random;
  }

  @Override
  public Issued issue(String nafFqdn, String actor) {
    String fqdn = JdbcCredentialAdmin.normalise(nafFqdn);
    byte[] raw = new byte[32];
    random.nextBytes(raw);
    String secret = PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
    byte[] hash = sha256(secret);
    String label = HexFormat.of().formatHex(hash, 0, 6);
    return db.inTransaction(
        "issuing a credential for " + fqdn,
        c -> {
          JdbcCredentialAdmin.enablerId(c, fqdn);
          Database.update(
              c,
              "INSERT INTO enabler_credential(naf_fqdn, credential_hash, label, created_at)"
                  + " VALUES (?, ?, ?, ?)",
              fqdn,
              hash,
              label,
              clock.instant());
          audit.append(c, actor, "enabler-credential.issued", fqdn, "label " + label);
          return new Issued(label, fqdn, secret);
        });
  }

  @Override
  public Optional<String> authenticate(String presentedSecret) {
    if (presentedSecret == null
        || !presentedSecret.startsWith(PREFIX)
        || presentedSecret.length() > 100) {
      return Optional.empty();
    }
    byte[] hash = sha256(presentedSecret);
    return db.inTransaction(
        "checking an Enabler credential",
        c ->
            Database.queryOne(
                c,
                "SELECT naf_fqdn FROM enabler_credential WHERE credential_hash = ?"
                    + " AND revoked_at IS NULL",
                rs -> rs.getString(1),
                hash));
  }

  @Override
  public void revoke(String label, String actor) {
    db.inTransaction(
        "revoking credential " + label,
        c -> {
          int n =
              Database.update(
                  c,
                  "UPDATE enabler_credential SET revoked_at = ? WHERE label = ? AND revoked_at IS NULL",
                  clock.instant(),
                  label);
          if (n == 0) {
            throw new KeyManagerException(
                Kind.NOT_FOUND, "no active Enabler credential has label '" + label + "'");
          }
          audit.append(c, actor, "enabler-credential.revoked", label, "");
          return null;
        });
  }

  @Override
  public List<Info> list() {
    return db.inTransaction(
        "listing Enabler credentials",
        c ->
            Database.query(
                c,
                "SELECT label, naf_fqdn, created_at, revoked_at FROM enabler_credential ORDER BY id",
                rs ->
                    new Info(
                        rs.getString(1),
                        rs.getString(2),
                        Database.instant(rs, "created_at"),
                        Optional.ofNullable(Database.instant(rs, "revoked_at")))));
  }

  private static byte[] sha256(String secret) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }
}
