package org.keyprov.keys.zn;

/**
 * The Key Manager could not answer a lookup: unreachable, too slow, or it refused our credential.
 */
public final class KeyManagerUnavailableException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public KeyManagerUnavailableException(String message) {
    super(message);
  }

  public KeyManagerUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
