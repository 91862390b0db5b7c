package org.keyprov.server;

import java.util.List;
import java.util.Map;

/**
 * A device's answer to an operator's LwM2M request (the object browser), without Leshan types: the
 * CoAP response code, the device's error message if it failed, and for a read the resources, each
 * with its model's name, type and operations.
 *
 * @param code the response code name, e.g. {@code CONTENT}, {@code METHOD_NOT_ALLOWED}
 * @param coapCode e.g. {@code 2.05}, {@code 4.05}
 * @param format the content format the device answered in (e.g. {@code SENML_CBOR}), null when it
 *     sent no payload or the answer came through another node
 */
public record ObjectAnswer(
    String code,
    String coapCode,
    boolean success,
    String error,
    String format,
    List<Resource> resources) {
  public ObjectAnswer {
    resources = List.copyOf(resources);
  }

  /**
   * One resource read: {@code values} holds a single resource's value under key 0, a multiple one's
   * per instance; opaque values in hex, times in ISO-8601.
   */
  public record Resource(
      String path,
      int id,
      String name,
      String type,
      String operations,
      boolean multiple,
      Map<Integer, String> values) {
    public Resource {
      values = java.util.Collections.unmodifiableMap(new java.util.TreeMap<>(values));
    }
  }
}
