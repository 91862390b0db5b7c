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

  /** Creates an account with a new random password and returns the password, to be shown once. */
  String createWithNewPassword(String username, Role role, String actor);

  /** The account, if the password is right; timing does not reveal whether the user exists. */
  Optional<Operator> authenticate(String username, char[] password);

  List<Operator> list();

  /**
   * Replaces the operator's own password after checking the current one (audited as {@code
   * username}).
   *
   * @return false if {@code current} is wrong or the account does not exist; nothing changes
   * @throws KeyManagerException {@code INVALID} if {@code replacement} is shorter than 12
   *     characters
   */
  boolean changePassword(String username, char[] current, char[] replacement);

  /**
   * Gives the account a new random password and returns it (to be shown once): how an admin unlocks
   * an operator who lost theirs, or regains the console from the command line.
   *
   * @throws KeyManagerException {@code NOT_FOUND} if there is no such account
   */
  String resetPassword(String username, String actor);

  /**
   * Deletes the account and its sessions ({@link OperatorSessions}).
   *
   * @throws KeyManagerException {@code NOT_FOUND} if there is no such account, {@code CONFLICT} if
   *     it is the last admin
   */
  void delete(String username, String actor);

  /**
   * Creates the account {@code admin} with a random password if no account exists yet, and returns
   * that password (to be shown once); empty if accounts already exist.
   */
  Optional<String> createInitialAdmin();
}
