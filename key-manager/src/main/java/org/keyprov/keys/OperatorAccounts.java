package org.keyprov.keys;

import java.util.List;
import java.util.Optional;

/** Operator accounts for the web UI and REST API. Passwords are stored hashed only. Thread-safe. */
public interface OperatorAccounts {

  /** What an operator may do. */
  enum Role {
    /** Everything, including accounts. */
    ADMIN,
    /** Devices, Enablers, assignments, provisioning, revocation. */
    OPERATOR,
    /** Read-only, including the audit log. */
    AUDITOR
  }

  record Operator(String username, Role role) {}

  /** Creates an account; the password is hashed (PBKDF2-HMAC-SHA256) and never stored. */
  Operator create(String username, char[] password, Role role, String actor);

  /** The account, if the password is right; timing does not reveal whether the user exists. */
  Optional<Operator> authenticate(String username, char[] password);

  List<Operator> list();

  /**
   * Creates the account {@code admin} with a random password if no account exists yet, and returns
   * that password (to be shown once); empty if accounts already exist.
   */
  Optional<String> createInitialAdmin();
}
