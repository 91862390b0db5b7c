package org.keyprov.web.api;

import org.keyprov.keys.OperatorAccounts.Operator;
import org.keyprov.keys.OperatorAccounts.Role;

/**
 * Who is calling the API: an operator signed in with a session, or a script with one of an
 * operator's personal API tokens (then {@code role} is the token's scope, at most the operator's).
 *
 * @param session the session token, or null for a token caller
 * @param csrf the session's CSRF token, or null for a token caller
 * @param tokenLabel the API token's label, or null for a session
 */
record Caller(Operator operator, Role role, String session, String csrf, String tokenLabel) {
  static Caller of(Sessions.Session s) {
    return new Caller(s.operator(), s.operator().role(), s.token(), s.csrf(), null);
  }

  String username() {
    return operator.username();
  }

  /** The audit log's actor: the operator, and the token when one was used. */
  String actor() {
    return tokenLabel == null ? username() : username() + " (token " + tokenLabel + ")";
  }

  @Override
  public String toString() {
    return "Caller[" + actor() + ", " + role + "]";
  }
}
