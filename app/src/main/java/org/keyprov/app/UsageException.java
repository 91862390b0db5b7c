package org.keyprov.app;

/** A problem with what the user asked for: printed as one sentence, exit code 2. */
final class UsageException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  UsageException(String message) {
    super(message);
  }
}
