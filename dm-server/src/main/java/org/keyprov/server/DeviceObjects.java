package org.keyprov.server;

/**
 * The object browser: an operator's LwM2M requests to a registered device, as an interop tester
 * sends them in the Leshan demo. Without Leshan types. A request to a device that is not registered
 * throws {@link IllegalStateException}; a bad path or value {@link IllegalArgumentException} saying
 * what is expected.
 */
public interface DeviceObjects {
  /** Reads an object, an instance or a resource ({@code /3}, {@code /3/0}, {@code /3/0/1}). */
  ObjectAnswer read(String endpoint, String path) throws InterruptedException;

  /**
   * Observes an object, instance or resource from the node serving the device: answers its current
   * value; each new one goes to the listeners ({@code ProvisioningListener.notified}) until the
   * device deregisters.
   */
  ObjectAnswer observe(String endpoint, String path) throws InterruptedException;

  /** Writes one single resource, the value as text in the resource's type. */
  ObjectAnswer write(String endpoint, String path, String value) throws InterruptedException;

  /** Executes a resource, with arguments ({@code 0='a',1}) or none. */
  ObjectAnswer execute(String endpoint, String path, String arguments) throws InterruptedException;

  /** Deletes an object instance. */
  ObjectAnswer delete(String endpoint, String path) throws InterruptedException;

  /** The model's name of object {@code id}, or null. */
  String objectName(int id);
}
