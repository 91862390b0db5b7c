package org.keyprov.keys;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.keyprov.keys.OperatorAccounts.Operator;
import org.keyprov.keys.OperatorAccounts.Role;

/**
 * Personal API tokens: how scripts call the operator API without a browser session or CSRF token. A
 * token belongs to an operator and is scoped to a role no stronger than the operator's; it acts
 * with the weaker of its scope and the operator's role at each use, so demoting or deleting the
 * operator takes its tokens along. Only a hash is stored; the secret is returned once, by {@link
 * #issue}. Issuing and revoking are audited. Thread-safe.
 */
public interface ApiTokens {

  /** What is known of a token, without its secret. */
  record Token(
      String id,
      String name,
      String username,
      Role scope,
      Instant createdAt,
      Optional<Instant> revokedAt) {}

  /** A newly issued token: {@code secret} is shown once and never stored. */
  record Issued(Token token, String secret) {
    @Override
    public String toString() {
      return "Issued[" + token + "]";
    }
  }

  /** Who a valid token speaks for, and with which role. */
  record Holder(Operator operator, Role role, String tokenId, String tokenName) {}

  /**
   * Issues a token named {@code name} (1–64 letters, digits, {@code . _ -}) for {@code username}.
   *
   * @throws KeyManagerException {@code INVALID} for a bad name or a scope above the account's role,
   *     {@code NOT_FOUND} without the account, {@code CONFLICT} if the operator has an active token
   *     of that name
   */
  Issued issue(String username, String name, Role scope, String actor);

  /** The holder of {@code secret}, if it is a token not revoked whose account still exists. */
  Optional<Holder> authenticate(String secret);

  /** The tokens of {@code username}, or every operator's when null, revoked ones included. */
  List<Token> list(String username);

  /**
   * Revokes the token {@code id}; calls with it are refused from now on.
   *
   * @param owner the operator whose token it must be, or null for any operator's (an admin's call)
   * @throws KeyManagerException {@code NOT_FOUND} if there is no such active token
   */
  void revoke(String id, String owner, String actor);
}
