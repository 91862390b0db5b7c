package org.keyprov.web.api;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Optional;
import org.keyprov.keys.OperatorAccounts.Operator;
import org.keyprov.keys.OperatorSessions;

/**
 * Operator sessions: a random token in an HttpOnly cookie, a CSRF token the browser sends back in a
 * header on every state-changing request, and an idle timeout. Sessions are stored in the Key
 * Manager's database under a hash of the token ({@link OperatorSessions}), so a login works on
 * every node behind a load balancer and survives a restart; a session ends when its account's
 * password or role changes or the account is deleted, by any process on the same database.
 *
 * <p>The CSRF token is derived from the session token (a hash under another label), so every node
 * can check it without storing it, and it reveals neither the token nor the stored hash.
 */
final class Sessions {
  record Session(String token, Operator operator, String csrf) {}

  /** How stale the stored last use may be: fewer writes, an idle timeout this much less exact. */
  private static final Duration TOUCH_EVERY = Duration.ofMinutes(1);

  private final SecureRandom random = new SecureRandom();
  private final OperatorSessions store;
  private final Clock clock;
  private final Duration idle;

  Sessions(OperatorSessions store, Clock clock, Duration idle) {
    this.store = store;
    this.clock = clock;
    this.idle = idle;
  }

  /** Opens a session for an operator who just authenticated. */
  Session open(Operator operator) {
    Instant now = clock.instant();
    store.closeIdleSince(now.minus(idle));
    String token = token();
    store.open(hash("session", token), operator.username(), now);
    return new Session(token, operator, hash("csrf", token));
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
    String key = hash("session", token);
    Optional<OperatorSessions.Session> stored = store.find(key);
    if (stored.isEmpty()) {
      return Optional.empty();
    }
    Instant now = clock.instant();
    if (stored.get().lastSeen().plus(idle).isBefore(now)) {
      store.close(key);
      return Optional.empty();
    }
    if (touch && stored.get().lastSeen().plus(TOUCH_EVERY).isBefore(now)) {
      store.touch(key, now);
    }
    return Optional.of(new Session(token, stored.get().operator(), hash("csrf", token)));
  }

  /**
   * Keeps this session open across its own operator's password change (the others of that account
   * end at their next request).
   */
  void restamp(String token) {
    store.renew(hash("session", token));
  }

  void close(String token) {
    if (token != null) {
      store.close(hash("session", token));
    }
  }

  private String token() {
    byte[] b = new byte[32];
    random.nextBytes(b);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }

  /** SHA-256 of {@code label:token}, hex (the stored name) or base64url (the CSRF token). */
  private static String hash(String label, String token) {
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256")
              .digest((label + ":" + token).getBytes(StandardCharsets.UTF_8));
      return label.equals("csrf")
          ? Base64.getUrlEncoder().withoutPadding().encodeToString(digest)
          : HexFormat.of().formatHex(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JDK", e);
    }
  }
}
