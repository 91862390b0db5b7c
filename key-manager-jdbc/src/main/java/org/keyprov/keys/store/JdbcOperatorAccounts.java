package org.keyprov.keys.store;

import java.security.SecureRandom;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import org.keyprov.keys.KeyManagerException;
import org.keyprov.keys.KeyManagerException.Kind;
import org.keyprov.keys.OperatorAccounts;

final class JdbcOperatorAccounts implements OperatorAccounts {
  /** Verified against when the user does not exist, so both paths cost one PBKDF2. */
  private final String dummyHash;

  private final Database db;
  private final JdbcAuditLog audit;
  private final Clock clock;
  private final SecureRandom random;

  JdbcOperatorAccounts(Database db, JdbcAuditLog audit, Clock clock, SecureRandom random) {
    this.db = db;
    this.audit = audit;
    this.clock = clock;
    this.random = random;
    this.dummyHash = Pbkdf2.hash("not a password".toCharArray(), random);
  }

  @Override
  public Operator create(String username, char[] password, Role role, String actor) {
    if (username == null || !username.matches("[A-Za-z0-9._@-]{1,64}")) {
      throw new KeyManagerException(Kind.INVALID, "a username is 1-64 letters, digits or . _ @ -");
    }
    requireStrong(password);
    String hash = Pbkdf2.hash(password, random);
    return db.inTransaction(
        "creating operator " + username,
        c -> {
          if (Database.queryOne(c, "SELECT 1 FROM operator WHERE username = ?", rs -> 1, username)
              .isPresent()) {
            throw new KeyManagerException(
                Kind.CONFLICT, "operator '" + username + "' already exists");
          }
          Database.update(
              c,
              "INSERT INTO operator(username, password_hash, role, created_at) VALUES (?, ?, ?, ?)",
              username,
              hash,
              role.name(),
              clock.instant());
          audit.append(c, actor, "operator.created", username, "role " + role);
          return new Operator(username, role);
        });
  }

  @Override
  public String createWithNewPassword(String username, Role role, String actor) {
    String password = randomPassword();
    create(username, password.toCharArray(), role, actor);
    return password;
  }

  @Override
  public Optional<Operator> authenticate(String username, char[] password) {
    Optional<String[]> row =
        db.inTransaction(
            "reading operator",
            c ->
                Database.queryOne(
                    c,
                    "SELECT password_hash, role FROM operator WHERE username = ?",
                    rs -> new String[] {rs.getString(1), rs.getString(2)},
                    username));
    boolean ok = Pbkdf2.verify(password, row.map(r -> r[0]).orElse(dummyHash));
    if (row.isEmpty() || !ok) {
      audit.record(username == null ? "" : username, "operator.login-failed", "web", "");
      return Optional.empty();
    }
    return Optional.of(new Operator(username, Role.valueOf(row.get()[1])));
  }

  @Override
  public List<Operator> list() {
    return db.inTransaction(
        "listing operators",
        c ->
            Database.query(
                c,
                "SELECT username, role FROM operator ORDER BY username",
                rs -> new Operator(rs.getString(1), Role.valueOf(rs.getString(2)))));
  }

  @Override
  public boolean changePassword(String username, char[] current, char[] replacement) {
    requireStrong(replacement);
    if (authenticate(username, current).isEmpty()) {
      return false;
    }
    setHash(username, Pbkdf2.hash(replacement, random), username, "operator.password-changed");
    return true;
  }

  @Override
  public String resetPassword(String username, String actor) {
    String password = randomPassword();
    if (!setHash(
        username, Pbkdf2.hash(password.toCharArray(), random), actor, "operator.password-reset")) {
      throw new KeyManagerException(Kind.NOT_FOUND, "no operator '" + username + "'");
    }
    return password;
  }

  @Override
  public void delete(String username, String actor) {
    db.inTransaction(
        "deleting operator " + username,
        c -> {
          Optional<String> role =
              Database.queryOne(
                  c,
                  "SELECT role FROM operator WHERE username = ? FOR UPDATE",
                  rs -> rs.getString(1),
                  username);
          if (role.isEmpty()) {
            throw new KeyManagerException(Kind.NOT_FOUND, "no operator '" + username + "'");
          }
          if (role.get().equals(Role.ADMIN.name())
              && Database.queryOne(
                          c,
                          "SELECT COUNT(*) FROM operator WHERE role = ?",
                          rs -> rs.getLong(1),
                          Role.ADMIN.name())
                      .orElse(0L)
                  <= 1) {
            throw new KeyManagerException(
                Kind.CONFLICT, "'" + username + "' is the last admin; make another admin first");
          }
          Database.update(c, "DELETE FROM operator WHERE username = ?", username);
          audit.append(c, actor, "operator.deleted", username, "role " + role.get());
          return null;
        });
  }

  /**
   * A value that changes whenever the account's password or role changes; reveals nothing about the
   * password.
   */
  static String stamp(String passwordHash, String role) {
    try {
      byte[] digest =
          java.security.MessageDigest.getInstance("SHA-256")
              .digest(
                  (passwordHash + "/" + role).getBytes(java.nio.charset.StandardCharsets.UTF_8));
      return java.util.HexFormat.of().formatHex(digest, 0, 16);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JDK", e);
    }
  }

  private boolean setHash(String username, String hash, String actor, String action) {
    return db.inTransaction(
        "setting the password of " + username,
        c -> {
          int rows =
              Database.update(
                  c, "UPDATE operator SET password_hash = ? WHERE username = ?", hash, username);
          if (rows == 0) {
            return false;
          }
          audit.append(c, actor, action, username, "");
          return true;
        });
  }

  private static void requireStrong(char[] password) {
    if (password == null || password.length < 12) {
      throw new KeyManagerException(Kind.INVALID, "a password needs at least 12 characters");
    }
  }

  private String randomPassword() {
    byte[] raw = new byte[15];
    random.nextBytes(raw);
    return java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
  }

  @Override
  public Optional<String> createInitialAdmin() {
    boolean any =
        db.inTransaction(
            "counting operators",
            c -> Database.queryOne(c, "SELECT 1 FROM operator LIMIT 1", rs -> 1).isPresent());
    if (any) {
      return Optional.empty();
    }
    return Optional.of(createWithNewPassword("admin", Role.ADMIN, "key-manager"));
  }
}
