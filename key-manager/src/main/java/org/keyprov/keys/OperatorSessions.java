package org.keyprov.keys;

import java.time.Instant;
import java.util.Optional;
import org.keyprov.keys.OperatorAccounts.Operator;

/**
 * Signed-in sessions of the web UI and REST API, stored with the accounts so that every keyprov
 * node sharing the database knows them (a load balancer may send each request elsewhere) and they
 * outlive a restart. A session is named by a hash of its token: the token itself, the browser's
 * cookie, is never stored. Thread-safe.
 */
public interface OperatorSessions {
  /** A session as stored: its operator (role as the account has it now), last use. */
  record Session(Operator operator, Instant lastSeen) {}

  /**
   * Stores a session of {@code username} named {@code tokenHash}; it ends when the account's
   * password or role changes or the account is deleted, by whichever process.
   *
   * @throws KeyManagerException {@code NOT_FOUND} if there is no such account
   */
  void open(String tokenHash, String username, Instant now);

  /** The session, if stored and its account unchanged since it was opened (or last renewed). */
  Optional<Session> find(String tokenHash);

  /** Records a use of the session at {@code at}. */
  void touch(String tokenHash, Instant at);

  /** Keeps the session open across its own account's password change (see {@link #find}). */
  void renew(String tokenHash);

  void close(String tokenHash);

  /** Ends every session last used before {@code cutoff}; returns how many. */
  int closeIdleSince(Instant cutoff);
}
