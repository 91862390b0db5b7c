package org.keyprov.keys;

/** Where one (device, Enabler) assignment stands. */
public enum ProvisioningState {
  /** Assigned, not yet written to the device (or a newer key is waiting). */
  PENDING,
  /** The device acknowledged the current key version. */
  PROVISIONED,
  /**
   * The last attempt failed and another is scheduled, or the key was written but the device's last
   * connection to the Enabler failed (the detail says which).
   */
  FAILED,
  /**
   * The key the device holds has expired (it was offline past the key's lifetime); it is renewed at
   * the device's next registration or update. Read-only: derived, never stored.
   */
  EXPIRED,
  /** The device's client does not implement the Enabler Security Parameters object. */
  UNSUPPORTED,
  /**
   * The device's parameters for this Enabler come from its SIM (personalised here, or reported by
   * the device): the DM server neither writes nor renews them. A key it wrote earlier keeps working
   * until its own expiry (the detail says when).
   */
  SIM
}
