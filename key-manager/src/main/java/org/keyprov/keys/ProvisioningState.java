package org.keyprov.keys;

/** Where one (device, Enabler) assignment stands. */
public enum ProvisioningState {
  /** Assigned, not yet written to the device (or a newer key is waiting). */
  PENDING,
  /** The device acknowledged the current key version. */
  PROVISIONED,
  /** The last attempt failed; another is scheduled. */
  FAILED,
  /** The device's client does not implement the Enabler Security Parameters object. */
  UNSUPPORTED
}
