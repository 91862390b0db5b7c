package org.keyprov.web.api;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.keyprov.keys.OperatorAccounts;
import org.keyprov.keys.OperatorAccounts.Operator;

/**
 * Operator sessions, in memory: a random token in an HttpOnly cookie, a CSRF token the browser
 * sends back in a header on every state-changing request, and an idle timeout. A session also ends
 * when its account's password or role changes or the account is deleted, by any process on the same
 * database (the account's credential stamp is compared on every request).
 */
final class Sessions {
  record Session(String token, Operator operator, String csrf, Instant lastSeen, String stamp) {}

  private final Map<String, Session> sessions = new ConcurrentHashMap<>();
  private final SecureRandom random = new SecureRandom();
  private final OperatorAccounts accounts;
  private final Clock clock;
  private final Duration idle;

  Sessions(OperatorAccounts accounts, Clock clock, Duration idle) {
    this.accounts = accounts;
    this.clock = clock;
    this.idle = idle;
  }

  /** Opens a session for an operator who just authenticated. */
  Session open(Operator operator) {
    String stamp = accounts.credentialStamp(operator.username()).orElse("");
    Session s = new Session(token(), operator, token(), clock.instant(), stamp);
    sessions.put(s.token(), s);
    return s;
  }

  /** The session, if still open; the request counts as activity (idle timeout restarts). */
  Optional<Session> find(String token) {
    return check(token, true);
  }

  /** Whether the session is still open, without counting as activity (for long-lived streams). */
  boolean isOpen(String token) {
    return check(token, false).isPresent();
  }

  private Optional<Session> check(String token, boolean touch) {
    if (token == null) {
      return Optional.empty();
    }
    Session s = sessions.get(token);
    if (s == null) {
      return Optional.empty();
    }
    Instant now = clock.instant();
    boolean current =
        accounts
            .credentialStamp(s.operator().username())
            .filter(stamp -> stamp.equals(s.stamp()))
            .isPresent();
    if (!current || s.lastSeen().plus(idle).isBefore(now)) {
      sessions.remove(token);
      return Optional.empty();
    }
    if (!touch) {
      return Optional.of(s);
    }
    Session touched = new Session(s.token(), s.operator(), s.csrf(), now, s.stamp());
    sessions.put(token, touched);
    return Optional.of(touched);
  }

  /**
   * Keeps this session open across its own operator's password change (the others of that account
   * end at their next request).
   */
  void restamp(String token) {
    sessions.computeIfPresent(
        token,
        (t, s) ->
            new Session(
                s.token(),
                s.operator(),
                s.csrf(),
                s.lastSeen(),
                accounts.credentialStamp(s.operator().username()).orElse("")));
  }

  void close(String token) {
    if (token != null) {
      sessions.remove(token);
    }
  }

  private String token() {
    byte[] b = new byte[32];
    random.nextBytes(b);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }
}
