package org.keyprov.keys;

/**
 * A request the Key Manager cannot honour, with a message fit for the operator: what was wrong and
 * what to do. Never carries key material.
 */
public class KeyManagerException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** What kind of problem, so edges can map it (HTTP status, CLI exit code). */
  public enum Kind {
    INVALID,
    NOT_FOUND,
    CONFLICT,
    STORAGE
  }

  private final Kind kind;

  public KeyManagerException(Kind kind, String message) {
    super(message);
    this.kind = kind;
  }

  public KeyManagerException(Kind kind, String message, Throwable cause) {
    super(message, cause);
    this.kind = kind;
  }

  public Kind kind() {
    return kind;
  }
}
