package org.keyprov.server;

/**
 * The object browser: an operator's LwM2M requests to a registered device, as an interop tester
 * sends them in the Leshan demo. Without Leshan types. A request to a device that is not registered
 * throws {@link IllegalStateException}; a bad path or value {@link IllegalArgumentException} saying
 * what is expected.
 */
public interface DeviceObjects {
  /**
   * Reads an object, an instance or a resource ({@code /3}, {@code /3/0}, {@code /3/0/1}) in
   * content format {@code format} (a name such as {@code SENML_CBOR} or a CoAP number such as
   * {@code 112}; null or empty: the device's choice).
   */
  ObjectAnswer read(String endpoint, String path, String format) throws InterruptedException;

  /**
   * Observes an object, instance or resource from the node serving the device: answers its current
   * value; each new one goes to the listeners ({@code ProvisioningListener.notified}) until the
   * device deregisters.
   */
  ObjectAnswer observe(String endpoint, String path, String format) throws InterruptedException;

  /**
   * Writes one single resource, the value as text in the resource's type, sent in {@code format}
   * (null or empty: the server's choice for the device).
   */
  ObjectAnswer write(String endpoint, String path, String value, String format)
      throws InterruptedException;

  /** Executes a resource, with arguments ({@code 0='a',1}) or none. */
  ObjectAnswer execute(String endpoint, String path, String arguments) throws InterruptedException;

  /** Deletes an object instance. */
  ObjectAnswer delete(String endpoint, String path) throws InterruptedException;

  /** The content formats the object browser can ask for, by name. */
  static java.util.List<String> formats() {
    return java.util.List.of("TLV", "JSON", "SENML_JSON", "SENML_CBOR", "TEXT", "OPAQUE", "CBOR");
  }

  /**
   * {@code format} as {@link #formats()} spells it (given by name in any case, or by CoAP number);
   * null for none.
   *
   * @throws IllegalArgumentException naming the formats there are
   */
  static String format(String format) {
    org.eclipse.leshan.core.request.ContentFormat f = ObjectBrowser.format(format);
    return f == null ? null : f.getName();
  }

  /** The model's name of object {@code id}, or null. */
  String objectName(int id);
}
