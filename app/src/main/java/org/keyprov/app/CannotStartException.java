package org.keyprov.app;

/**
 * Something keyprov needs is not there (a service it must reach, a port it must bind): printed as
 * one sentence, exit code 1.
 */
final class CannotStartException extends RuntimeException {
  CannotStartException(String message, Throwable cause) {
    super(message, cause);
  }
}
