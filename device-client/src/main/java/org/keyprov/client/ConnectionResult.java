package org.keyprov.client;

import java.net.URI;
import java.util.Objects;

/**
 * The outcome of one connection to an Enabler: whether the secure channel carried a successful
 * request, and what the Enabler answered or why it failed.
 */
public record ConnectionResult(URI target, boolean success, String detail) {
  public ConnectionResult {
    Objects.requireNonNull(target, "target");
    Objects.requireNonNull(detail, "detail");
  }

  static ConnectionResult ok(URI target, String answer) {
    return new ConnectionResult(target, true, answer);
  }

  static ConnectionResult failed(URI target, String reason) {
    return new ConnectionResult(target, false, reason);
  }

  /** The text stored in the object's "last connection result" resource. */
  public String asResourceValue() {
    return success ? "OK: " + detail : "FAILED: " + detail;
  }
}
