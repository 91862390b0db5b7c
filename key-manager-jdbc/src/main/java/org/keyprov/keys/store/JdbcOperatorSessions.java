package org.keyprov.keys.store;

import java.time.Instant;
import java.util.Optional;
import org.keyprov.keys.KeyManagerException;
import org.keyprov.keys.KeyManagerException.Kind;
import org.keyprov.keys.OperatorAccounts.Operator;
import org.keyprov.keys.OperatorAccounts.Role;
import org.keyprov.keys.OperatorSessions;

/**
 * Sessions in {@code operator_session}, each holding its account's credential stamp of when it was
 * opened: {@link #find} reads the session and the account in one query and ends a session whose
 * account changed. Deleting the account deletes its sessions (foreign key).
 */
final class JdbcOperatorSessions implements OperatorSessions {
  private record Account(long id, String stamp) {}

  /** A session with its account's credential stamp when it was opened and now. */
  private record Stored(Session session, String openedWith, String now) {}

  private final Database db;

  JdbcOperatorSessions(Database db) {
    this.db = db;
  }

  @Override
  public void open(String tokenHash, String username, Instant now) {
    db.inTransaction(
        "opening a session for " + username,
        c -> {
          Account account =
              Database.queryOne(
                      c,
                      "SELECT id, password_hash, role FROM operator WHERE username = ?",
                      rs ->
                          new Account(
                              rs.getLong(1),
                              JdbcOperatorAccounts.stamp(rs.getString(2), rs.getString(3))),
                      username)
                  .orElseThrow(
                      () ->
                          new KeyManagerException(
                              Kind.NOT_FOUND, "no operator '" + username + "'"));
          return Database.update(
              c,
              "INSERT INTO operator_session(token_hash, operator_id, stamp, created_at,"
                  + " last_seen_at) VALUES (?, ?, ?, ?, ?)",
              tokenHash,
              account.id(),
              account.stamp(),
              now,
              now);
        });
  }

  @Override
  public Optional<Session> find(String tokenHash) {
    return db.inTransaction(
        "reading a session",
        c -> {
          Optional<Stored> stored =
              Database.queryOne(
                  c,
                  "SELECT s.stamp, s.last_seen_at, o.username, o.role, o.password_hash"
                      + " FROM operator_session s JOIN operator o ON o.id = s.operator_id"
                      + " WHERE s.token_hash = ?",
                  rs ->
                      new Stored(
                          new Session(
                              new Operator(rs.getString(3), Role.valueOf(rs.getString(4))),
                              Database.instant(rs, "last_seen_at")),
                          rs.getString(1),
                          JdbcOperatorAccounts.stamp(rs.getString(5), rs.getString(4))),
                  tokenHash);
          if (stored.isPresent() && !stored.get().openedWith().equals(stored.get().now())) {
            // the password or role changed since: the session ended then
            Database.update(c, "DELETE FROM operator_session WHERE token_hash = ?", tokenHash);
            return Optional.empty();
          }
          return stored.map(Stored::session);
        });
  }

  @Override
  public void touch(String tokenHash, Instant at) {
    db.inTransaction(
        "recording a session's use",
        c ->
            Database.update(
                c,
                "UPDATE operator_session SET last_seen_at = ? WHERE token_hash = ?"
                    + " AND last_seen_at < ?",
                at,
                tokenHash,
                at));
  }

  @Override
  public void renew(String tokenHash) {
    db.inTransaction(
        "renewing a session",
        c -> {
          Optional<String> stamp =
              Database.queryOne(
                  c,
                  "SELECT o.password_hash, o.role FROM operator_session s"
                      + " JOIN operator o ON o.id = s.operator_id WHERE s.token_hash = ?",
                  rs -> JdbcOperatorAccounts.stamp(rs.getString(1), rs.getString(2)),
                  tokenHash);
          if (stamp.isPresent()) {
            Database.update(
                c,
                "UPDATE operator_session SET stamp = ? WHERE token_hash = ?",
                stamp.get(),
                tokenHash);
          }
          return null;
        });
  }

  @Override
  public void close(String tokenHash) {
    db.inTransaction(
        "closing a session",
        c -> Database.update(c, "DELETE FROM operator_session WHERE token_hash = ?", tokenHash));
  }

  @Override
  public int closeIdleSince(Instant cutoff) {
    return db.inTransaction(
        "closing idle sessions",
        c -> Database.update(c, "DELETE FROM operator_session WHERE last_seen_at < ?", cutoff));
  }
}
