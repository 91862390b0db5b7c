package org.keyprov.keys.store;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;
import org.keyprov.keys.ApiTokens;
import org.keyprov.keys.KeyManagerException;
import org.keyprov.keys.KeyManagerException.Kind;
import org.keyprov.keys.OperatorAccounts.Operator;
import org.keyprov.keys.OperatorAccounts.Role;

/**
 * API tokens in {@code api_token}: 32 random bytes, base64url with a {@code kpt_} prefix. Like
 * Enabler credentials they carry 256 bits of entropy, so a SHA-256 of the secret is a safe verifier
 * that finds the row in one indexed query; the id is the start of that hash.
 */
final class JdbcApiTokens implements ApiTokens {
  private static final String PREFIX = "kpt_";
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,64}");
  private static final String COLUMNS =
      "t.id, t.name, o.username, t.scope, t.created_at, t.revoked_at";

  private final Database db;
  private final JdbcAuditLog audit;
  private final Clock clock;
  private final SecureRandom random;

  JdbcApiTokens(Database db, JdbcAuditLog audit, Clock clock, SecureRandom random) {
    this.db = db;
    this.audit = audit;
    this.clock = clock;
    this.random = random;
  }

  @Override
  public Issued issue(String username, String name, Role scope, String actor) {
    if (name == null || !NAME.matcher(name).matches()) {
      throw new KeyManagerException(
          Kind.INVALID, "a token name is 1 to 64 letters, digits, '.', '_' or '-'");
    }
    byte[] raw = new byte[32];
    random.nextBytes(raw);
    String secret = PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
    String hash = sha256(secret);
    String id = hash.substring(0, 12);
    return db.inTransaction(
        "issuing an API token for " + username,
        c -> {
          Operator owner =
              Database.queryOne(
                      c,
                      "SELECT username, role FROM operator WHERE username = ?",
                      rs -> new Operator(rs.getString(1), Role.valueOf(rs.getString(2))),
                      username)
                  .orElseThrow(
                      () ->
                          new KeyManagerException(
                              Kind.NOT_FOUND, "no operator '" + username + "'"));
          if (scope.ordinal() < owner.role().ordinal()) {
            throw new KeyManagerException(
                Kind.INVALID,
                "a token acts at most as its operator: "
                    + username
                    + " is "
                    + lower(owner.role())
                    + ", so the scope is "
                    + lower(owner.role())
                    + (owner.role() == Role.AUDITOR ? "" : " or weaker"));
          }
          boolean taken =
              Database.queryOne(
                      c,
                      "SELECT 1 FROM api_token t JOIN operator o ON o.id = t.operator_id"
                          + " WHERE o.username = ? AND t.name = ? AND t.revoked_at IS NULL",
                      rs -> true,
                      username,
                      name)
                  .isPresent();
          if (taken) {
            throw new KeyManagerException(
                Kind.CONFLICT,
                username + " already has an active token named '" + name + "'; revoke it first");
          }
          var now = clock.instant();
          Database.update(
              c,
              "INSERT INTO api_token(id, token_hash, operator_id, name, scope, created_at)"
                  + " SELECT ?, ?, id, ?, ?, ? FROM operator WHERE username = ?",
              id,
              hash,
              name,
              scope.name(),
              now,
              username);
          audit.append(
              c,
              actor,
              "api-token.issued",
              username,
              "token " + id + " " + name + " " + lower(scope));
          return new Issued(new Token(id, name, username, scope, now, Optional.empty()), secret);
        });
  }

  @Override
  public Optional<Holder> authenticate(String secret) {
    if (secret == null || !secret.startsWith(PREFIX) || secret.length() > 100) {
      return Optional.empty();
    }
    String hash = sha256(secret);
    return db.inTransaction(
        "checking an API token",
        c ->
            Database.queryOne(
                c,
                "SELECT o.username, o.role, t.scope, t.id, t.name FROM api_token t"
                    + " JOIN operator o ON o.id = t.operator_id"
                    + " WHERE t.token_hash = ? AND t.revoked_at IS NULL",
                rs -> {
                  Role account = Role.valueOf(rs.getString(2));
                  Role scope = Role.valueOf(rs.getString(3));
                  // the weaker of the two: a demoted operator's tokens are demoted too
                  Role role = scope.ordinal() > account.ordinal() ? scope : account;
                  return new Holder(
                      new Operator(rs.getString(1), account),
                      role,
                      rs.getString(4),
                      rs.getString(5));
                },
                hash));
  }

  @Override
  public List<Token> list(String username) {
    return db.inTransaction(
        "listing API tokens",
        c ->
            username == null
                ? Database.query(
                    c,
                    "SELECT "
                        + COLUMNS
                        + " FROM api_token t JOIN operator o ON o.id = t.operator_id"
                        + " ORDER BY t.created_at, t.id",
                    JdbcApiTokens::token)
                : Database.query(
                    c,
                    "SELECT "
                        + COLUMNS
                        + " FROM api_token t JOIN operator o ON o.id = t.operator_id"
                        + " WHERE o.username = ? ORDER BY t.created_at, t.id",
                    JdbcApiTokens::token,
                    username));
  }

  @Override
  public void revoke(String id, String owner, String actor) {
    db.inTransaction(
        "revoking API token " + id,
        c -> {
          Optional<String> username =
              Database.queryOne(
                  c,
                  "SELECT o.username FROM api_token t JOIN operator o ON o.id = t.operator_id"
                      + " WHERE t.id = ? AND t.revoked_at IS NULL",
                  rs -> rs.getString(1),
                  id);
          if (username.isEmpty() || (owner != null && !owner.equals(username.get()))) {
            throw new KeyManagerException(
                Kind.NOT_FOUND,
                "no active API token has id '" + id + "'" + (owner == null ? "" : " for " + owner));
          }
          Database.update(
              c, "UPDATE api_token SET revoked_at = ? WHERE id = ?", clock.instant(), id);
          audit.append(c, actor, "api-token.revoked", username.get(), "token " + id);
          return null;
        });
  }

  private static Token token(java.sql.ResultSet rs) throws java.sql.SQLException {
    return new Token(
        rs.getString(1),
        rs.getString(2),
        rs.getString(3),
        Role.valueOf(rs.getString(4)),
        Database.instant(rs, "created_at"),
        Optional.ofNullable(Database.instant(rs, "revoked_at")));
  }

  private static String lower(Role role) {
    return role.name().toLowerCase(Locale.ROOT);
  }

  private static String sha256(String secret) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }
}
