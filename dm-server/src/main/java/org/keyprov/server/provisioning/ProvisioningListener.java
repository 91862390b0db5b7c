package org.keyprov.server.provisioning;

/**
 * Hears what the DM server did for each (device, Enabler), and devices coming and going. Called
 * from provisioning and CoAP threads; implementations return quickly and never throw.
 */
public interface ProvisioningListener {
  /** The device acknowledged the parameters of key version {@code keyVersion}. */
  default void provisioned(String endpoint, String nafFqdn, int keyVersion) {}

  /** An attempt failed; {@code reason} says why (the device's CoAP code, a timeout …). */
  default void failed(String endpoint, String nafFqdn, String reason) {}

  /** The device's client has no Enabler Security Parameters object. */
  default void unsupported(String endpoint, String reason) {}

  /** The device reported the outcome of a connection to the Enabler. */
  default void connectionReported(String endpoint, String nafFqdn, String result) {}

  /** The device registered with this node (anew, not an update). */
  default void registered(String endpoint) {}

  /** The device updated its registration at this node (lifetime, address, object links …). */
  default void updated(String endpoint) {}

  /** The device deregistered, or its registration expired ({@code expired}), at this node. */
  default void deregistered(String endpoint, boolean expired) {}

  /**
   * A resource the operator observes (the object browser) has a new value: {@code value} as the
   * browser shows it (opaque in hex, several instances comma-separated).
   */
  default void notified(String endpoint, String path, String value) {}
}
