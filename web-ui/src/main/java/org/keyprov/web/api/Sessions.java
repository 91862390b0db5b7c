package org.keyprov.web.api;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.keyprov.keys.OperatorAccounts.Operator;

/**
 * Operator sessions, in memory: a random token in an HttpOnly cookie, a CSRF token the browser
 * sends back in a header on every state-changing request, and an idle timeout.
 */
final class Sessions {
  record Session(String token, Operator operator, String csrf, Instant lastSeen) {}

  private final Map<String, Session> sessions = new ConcurrentHashMap<>();
  private final SecureRandom random = new SecureRandom();
  private final Clock clock;
  private final Duration idle;

  Sessions(Clock clock, Duration idle) {
    this.clock = clock;
    this.idle = idle;
  }

  Session open(Operator operator) {
    Session s = new Session(token(), operator, token(), clock.instant());
    sessions.put(s.token(), s);
    return s;
  }

  Optional<Session> find(String token) {
    if (token == null) {
      return Optional.empty();
    }
    Session s = sessions.get(token);
    Instant now = clock.instant();
    if (s == null || s.lastSeen().plus(idle).isBefore(now)) {
      sessions.remove(token);
      return Optional.empty();
    }
    Session touched = new Session(s.token(), s.operator(), s.csrf(), now);
    sessions.put(token, touched);
    return Optional.of(touched);
  }

  void close(String token) {
    if (token != null) {
      sessions.remove(token);
    }
  }

  /** Ends every session of {@code username} but the one with token {@code keep} (may be null). */
  void closeAllOf(String username, String keep) {
    sessions
        .values()
        .removeIf(s -> s.operator().username().equals(username) && !s.token().equals(keep));
  }

  private String token() {
    byte[] b = new byte[32];
    random.nextBytes(b);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }
}
