package org.keyprov.server;

import org.keyprov.server.provisioning.ProvisioningListener;

/**
 * What the operator console and API need of the DM server: who is registered, a nudge to provision
 * a device now, and the provisioning events. No Leshan types, so a fake stands in for tests.
 */
public interface DeviceDirectory {
  /** Whether the device is registered now. */
  boolean isRegistered(String endpoint);

  /** The device's registration now, if it is registered. */
  default java.util.Optional<RegistrationInfo> registrationInfo(String endpoint) {
    return java.util.Optional.empty();
  }

  /**
   * Asks the device to bootstrap again now if it is registered (a DM PSK rotation); false if it is
   * not (it is asked when it next registers with the DM PSK due for rotation).
   */
  default boolean bootstrapNow(String endpoint) {
    return false;
  }

  /** The object browser; empty where there is none. */
  default java.util.Optional<DeviceObjects> objects() {
    return java.util.Optional.empty();
  }

  /** How many devices are registered now. */
  long registeredCount();

  /** Runs a provisioning pass for the device now if it is registered (after an operator change). */
  void provisionNow(String endpoint);

  /** Hears every provisioning outcome and connection result from now on. */
  void addListener(ProvisioningListener listener);
}
