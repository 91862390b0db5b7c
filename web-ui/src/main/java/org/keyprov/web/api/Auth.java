package org.keyprov.web.api;

import io.javalin.http.Context;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Optional;
import org.keyprov.keys.ApiTokens;
import org.keyprov.keys.OperatorAccounts.Operator;
import org.keyprov.keys.OperatorAccounts.Role;

/**
 * Who may call what. A browser signs in for a session (cookie {@code keyprov_session}) and sends
 * the session's CSRF token in {@code X-CSRF-Token} with every request that changes something; a
 * script sends {@code Authorization: Bearer kpt_…}, a personal API token, and needs no CSRF token
 * (no browser sends that header by itself).
 */
final class Auth {
  static final String COOKIE = "keyprov_session";

  private final Sessions sessions;
  private final ApiTokens tokens;
  private final String localSecret;

  Auth(Sessions sessions, ApiTokens tokens, String localSecret) {
    this.sessions = sessions;
    this.tokens = tokens;
    this.localSecret = localSecret;
  }

  /** The caller of {@code ctx}, or 401/403 if it may not call an operation of {@code access}. */
  Caller check(Context ctx, Api.Access access) {
    if (access == Api.Access.PUBLIC) {
      return null;
    }
    String bearer = bearer(ctx.header("Authorization"));
    if (access == Api.Access.LOCAL) {
      if (localSecret == null
          || bearer == null
          || !MessageDigest.isEqual(
              bearer.getBytes(StandardCharsets.UTF_8),
              localSecret.getBytes(StandardCharsets.UTF_8))) {
        throw new ApiException(
            403,
            "forbidden",
            null,
            "only the keyprov command on this server's host runs admin command lines here");
      }
      return new Caller(new Operator("cli", Role.ADMIN), Role.ADMIN, null, null, "local");
    }
    Caller caller;
    if (bearer != null) {
      caller =
          tokens
              .authenticate(bearer)
              .map(h -> new Caller(h.operator(), h.role(), null, null, h.tokenName()))
              .orElseThrow(
                  () ->
                      new ApiException(
                          401,
                          "unauthenticated",
                          null,
                          "the API token is unknown or revoked; issue a new one (POST"
                              + " /api/v1/tokens, or keyprov admin issue-token)"));
    } else {
      Sessions.Session session =
          sessions
              .find(ctx.cookie(COOKIE))
              .orElseThrow(
                  () ->
                      new ApiException(
                          401,
                          "unauthenticated",
                          null,
                          "log in first (POST /api/v1/session) or send an API token"
                              + " (Authorization: Bearer kpt_…)"));
      caller = Caller.of(session);
      if (!ctx.method().name().equals("GET")) {
        String csrf = ctx.header("X-CSRF-Token");
        if (csrf == null
            || !MessageDigest.isEqual(
                csrf.getBytes(StandardCharsets.UTF_8),
                session.csrf().getBytes(StandardCharsets.UTF_8))) {
          throw new ApiException(403, "csrf", null, "missing or wrong X-CSRF-Token header");
        }
      }
    }
    switch (access) {
      case WRITE -> {
        if (caller.role() == Role.AUDITOR) {
          throw new ApiException(
              403,
              "forbidden",
              null,
              caller.tokenLabel() == null
                  ? "the auditor role is read-only"
                  : "this token is scoped to auditor, which is read-only");
        }
      }
      case ADMIN -> {
        if (caller.role() != Role.ADMIN) {
          throw new ApiException(
              403, "forbidden", null, "only an admin manages operator accounts and their tokens");
        }
      }
      default -> {}
    }
    return caller;
  }

  /**
   * The session of a signed-in browser, without the role and CSRF checks (for the event stream).
   */
  Optional<Sessions.Session> session(String cookie) {
    return sessions.find(cookie);
  }

  private static String bearer(String header) {
    if (header == null) {
      return null;
    }
    String h = header.trim();
    return h.regionMatches(true, 0, "Bearer ", 0, 7) ? h.substring(7).trim() : "";
  }
}
