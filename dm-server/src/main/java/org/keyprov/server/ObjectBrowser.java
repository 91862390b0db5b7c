package org.keyprov.server;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.eclipse.leshan.core.model.LwM2mModel;
import org.eclipse.leshan.core.model.ObjectModel;
import org.eclipse.leshan.core.model.ResourceModel;
import org.eclipse.leshan.core.model.StaticModel;
import org.eclipse.leshan.core.node.LwM2mNode;
import org.eclipse.leshan.core.node.LwM2mObject;
import org.eclipse.leshan.core.node.LwM2mObjectInstance;
import org.eclipse.leshan.core.node.LwM2mPath;
import org.eclipse.leshan.core.node.LwM2mResource;
import org.eclipse.leshan.core.node.ObjectLink;
import org.eclipse.leshan.core.node.codec.CodecException;
import org.eclipse.leshan.core.request.ContentFormat;
import org.eclipse.leshan.core.request.DeleteRequest;
import org.eclipse.leshan.core.request.DownlinkRequest;
import org.eclipse.leshan.core.request.ExecuteRequest;
import org.eclipse.leshan.core.request.ReadRequest;
import org.eclipse.leshan.core.request.WriteRequest;
import org.eclipse.leshan.core.request.exception.InvalidRequestException;
import org.eclipse.leshan.core.response.LwM2mResponse;
import org.eclipse.leshan.core.response.ReadResponse;
import org.keyprov.models.KeyprovModels;

/**
 * The object browser's requests, as an interop tester sends them in the Leshan demo: read any
 * object, instance or resource the device lists, write one resource (its text turned into the
 * model's type), execute, delete an instance. Sent through {@code send}, from any node. Pure but
 * for that.
 */
final class ObjectBrowser implements DeviceObjects {
  /** Sends a request to the device and waits for its answer (DmServer.send). */
  interface Sender {
    <T extends LwM2mResponse> T send(String endpoint, DownlinkRequest<T> request)
        throws InterruptedException;
  }

  private final Sender sender;
  private final LwM2mModel model = new StaticModel(KeyprovModels.loadWithDefaults());

  /** The observations the browser started (their ids), whose notifications it passes on. */
  private final java.util.Set<String> browsing = java.util.concurrent.ConcurrentHashMap.newKeySet();

  ObjectBrowser(Sender sender) {
    this.sender = sender;
  }

  /** Tells {@code listener} the new values of what the browser observes. */
  org.eclipse.leshan.server.observation.ObservationListener notifications(
      org.keyprov.server.provisioning.ProvisioningListener listener) {
    return new Browsed(listener);
  }

  @Override
  public ObjectAnswer observe(String endpoint, String path, String format)
      throws InterruptedException {
    LwM2mPath p = parse(path);
    org.eclipse.leshan.core.response.ObserveResponse response =
        send(
            endpoint,
            new org.eclipse.leshan.core.request.ObserveRequest(format(format), p.toString()));
    if (response.isSuccess() && response.getObservation() != null) {
      browsing.add(response.getObservation().getId().toString());
    }
    return answer(response, response.isSuccess() ? resources(p, response.getContent()) : List.of());
  }

  /** Reads {@code path} ({@code /3}, {@code /3/0}, {@code /3/0/1}). */
  @Override
  public ObjectAnswer read(String endpoint, String path, String format)
      throws InterruptedException {
    LwM2mPath p = parse(path);
    ReadResponse response = send(endpoint, new ReadRequest(format(format), p.toString()));
    List<ObjectAnswer.Resource> resources =
        response.isSuccess() ? resources(p, response.getContent()) : List.of();
    return answer(response, resources);
  }

  /**
   * Writes one resource: {@code value} as text, turned into the resource's type (opaque in hex,
   * time in ISO-8601 or seconds, object link as {@code 3:0}).
   *
   * @throws IllegalArgumentException if the path is not a writable single resource or the value
   *     does not fit its type, saying what is expected
   */
  @Override
  public ObjectAnswer write(String endpoint, String path, String value, String format)
      throws InterruptedException {
    LwM2mPath p = parse(path);
    // Leshan's own default for a single resource
    ContentFormat chosen = format(format);
    ContentFormat f = chosen == null ? ContentFormat.TLV : chosen;
    ResourceModel r = resourceModel(p);
    if (r.multiple) {
      throw new IllegalArgumentException(
          path + " is a multiple resource; write one of its instances in the Leshan demo instead");
    }
    WriteRequest request;
    try {
      request = request(p, r, f, value);
    } catch (InvalidRequestException e) {
      throw new IllegalArgumentException(e.getMessage());
    }
    return answer(send(endpoint, request), List.of());
  }

  private static WriteRequest request(LwM2mPath p, ResourceModel r, ContentFormat f, String value) {
    String path = p.toString();
    return switch (r.type) {
      case STRING -> new WriteRequest(f, p.getObjectId(), p.getObjectInstanceId(), r.id, value);
      case INTEGER, UNSIGNED_INTEGER ->
          new WriteRequest(f, p.getObjectId(), p.getObjectInstanceId(), r.id, number(value));
      case FLOAT ->
          new WriteRequest(f, p.getObjectId(), p.getObjectInstanceId(), r.id, decimal(value));
      case BOOLEAN ->
          new WriteRequest(f, p.getObjectId(), p.getObjectInstanceId(), r.id, bool(value));
      case OPAQUE ->
          new WriteRequest(f, p.getObjectId(), p.getObjectInstanceId(), r.id, hex(value));
      case TIME -> new WriteRequest(f, p.getObjectId(), p.getObjectInstanceId(), r.id, time(value));
      case OBJLNK ->
          new WriteRequest(f, p.getObjectId(), p.getObjectInstanceId(), r.id, link(value));
      default ->
          throw new IllegalArgumentException(
              path + " is of type " + r.type + ", which the object browser does not write");
    };
  }

  /** Executes a resource, with the arguments text ({@code 0='a',1}) or none. */
  @Override
  public ObjectAnswer execute(String endpoint, String path, String arguments)
      throws InterruptedException {
    LwM2mPath p = parse(path);
    if (!p.isResource()) {
      throw new IllegalArgumentException("execute needs a resource path such as /3/0/4");
    }
    ExecuteRequest request =
        arguments == null || arguments.isBlank()
            ? new ExecuteRequest(p.toString())
            : new ExecuteRequest(p.toString(), arguments);
    return answer(sender.send(endpoint, request), List.of());
  }

  /** Deletes an object instance. */
  @Override
  public ObjectAnswer delete(String endpoint, String path) throws InterruptedException {
    LwM2mPath p = parse(path);
    if (!p.isObjectInstance()) {
      throw new IllegalArgumentException("delete needs an instance path such as /33001/0");
    }
    return answer(
        sender.send(endpoint, new DeleteRequest(p.getObjectId(), p.getObjectInstanceId())),
        List.of());
  }

  /** The name the model gives object {@code id}, or null if the model does not know it. */
  @Override
  public String objectName(int id) {
    ObjectModel o = model.getObjectModel(id);
    return o == null ? null : o.name;
  }

  /** Sends {@code request}; one the chosen format cannot carry says so. */
  private <T extends LwM2mResponse> T send(String endpoint, DownlinkRequest<T> request)
      throws InterruptedException {
    try {
      return sender.send(endpoint, request);
    } catch (CodecException | InvalidRequestException e) {
      throw new IllegalArgumentException("the request cannot be sent so: " + e.getMessage());
    }
  }

  /**
   * The content format named {@code name} ({@code SENML_CBOR}, any case) or numbered ({@code 112});
   * null for none.
   *
   * @throws IllegalArgumentException naming the formats there are
   */
  static ContentFormat format(String name) {
    if (name == null || name.isBlank()) {
      return null;
    }
    String n = name.trim();
    for (String known : DeviceObjects.formats()) {
      ContentFormat f = ContentFormat.fromName(known);
      if (known.equalsIgnoreCase(n) || String.valueOf(f.getCode()).equals(n)) {
        return f;
      }
    }
    throw new IllegalArgumentException(
        "format '"
            + name
            + "' is not one of "
            + String.join(", ", DeviceObjects.formats())
            + " (or empty, for the device's choice)");
  }

  private static LwM2mPath parse(String path) {
    try {
      LwM2mPath p = new LwM2mPath(path.startsWith("/") ? path : "/" + path);
      if (p.isRoot() || p.isResourceInstance()) {
        throw new IllegalArgumentException("root or resource instance");
      }
      return p;
    } catch (RuntimeException e) {
      // Leshan's InvalidLwM2mPathException, a number too large, …
      throw new IllegalArgumentException(
          "'" + path + "' is not an object, instance or resource path such as /3/0/1");
    }
  }

  private ResourceModel resourceModel(LwM2mPath p) {
    if (!p.isResource()) {
      throw new IllegalArgumentException("write needs a resource path such as /1/0/1");
    }
    ResourceModel r = model.getResourceModel(p.getObjectId(), p.getResourceId());
    if (r == null) {
      throw new IllegalArgumentException(
          p + ": the model of object " + p.getObjectId() + " has no resource " + p.getResourceId());
    }
    if (!r.operations.isWritable()) {
      throw new IllegalArgumentException(p + " (" + r.name + ") is not writable");
    }
    return r;
  }

  /** The resources of {@code node} read or notified at {@code p}, as the browser shows them. */
  List<ObjectAnswer.Resource> resources(LwM2mPath p, LwM2mNode node) {
    List<ObjectAnswer.Resource> out = new ArrayList<>();
    if (node instanceof LwM2mObject o) {
      o.getInstances().values().forEach(i -> addInstance(out, p.getObjectId(), i));
    } else if (node instanceof LwM2mObjectInstance i) {
      addInstance(out, p.getObjectId(), i);
    } else if (node instanceof LwM2mResource r) {
      out.add(resource(p.getObjectId(), p.getObjectInstanceId(), r));
    }
    return out;
  }

  private void addInstance(List<ObjectAnswer.Resource> out, int object, LwM2mObjectInstance i) {
    new TreeMap<>(i.getResources()).values().forEach(r -> out.add(resource(object, i.getId(), r)));
  }

  private ObjectAnswer.Resource resource(int object, int instance, LwM2mResource r) {
    ResourceModel m = model.getResourceModel(object, r.getId());
    Map<Integer, String> values = new TreeMap<>();
    if (r.isMultiInstances()) {
      r.getInstances().forEach((k, v) -> values.put(k, text(v.getValue())));
    } else {
      values.put(0, text(r.getValue()));
    }
    return new ObjectAnswer.Resource(
        "/" + object + "/" + instance + "/" + r.getId(),
        r.getId(),
        m == null ? "" : m.name,
        String.valueOf(r.getType()),
        m == null ? "" : String.valueOf(m.operations),
        r.isMultiInstances(),
        values);
  }

  private static String text(Object value) {
    if (value instanceof byte[] bytes) {
      return HexFormat.of().formatHex(bytes);
    }
    if (value instanceof Date d) {
      return d.toInstant().toString();
    }
    if (value instanceof ObjectLink l) {
      return l.getObjectId() + ":" + l.getObjectInstanceId();
    }
    return String.valueOf(value);
  }

  private static ObjectAnswer answer(LwM2mResponse r, List<ObjectAnswer.Resource> resources) {
    return new ObjectAnswer(
        r.getCode().getName(),
        // Leshan numbers 2.05 as 205
        r.getCode().getCode() / 100 + "." + String.format("%02d", r.getCode().getCode() % 100),
        r.isSuccess(),
        r.getErrorMessage(),
        answeredIn(r),
        resources);
  }

  /** The content format of the device's CoAP answer, if this node got it and it had a payload. */
  private static String answeredIn(LwM2mResponse r) {
    java.util.OptionalInt code =
        org.keyprov.server.transport.CoapAnswers.contentFormat(r.getCoapResponse());
    return code.isPresent() ? ContentFormat.fromCode(code.getAsInt()).getName() : null;
  }

  private static long number(String v) {
    try {
      return Long.parseLong(v.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("'" + v + "' is not an integer");
    }
  }

  private static double decimal(String v) {
    try {
      return Double.parseDouble(v.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("'" + v + "' is not a number");
    }
  }

  private static boolean bool(String v) {
    return switch (v.trim().toLowerCase(java.util.Locale.ROOT)) {
      case "true", "1" -> true;
      case "false", "0" -> false;
      default -> throw new IllegalArgumentException("'" + v + "' is not true or false");
    };
  }

  private static byte[] hex(String v) {
    String h = v.trim();
    if (!h.matches("([0-9a-fA-F]{2})*")) {
      throw new IllegalArgumentException("an opaque value is written in hex, e.g. 0a1b2c");
    }
    return HexFormat.of().parseHex(h);
  }

  private static Date time(String v) {
    try {
      return v.trim().matches("\\d+")
          ? new Date(Long.parseLong(v.trim()) * 1000)
          : Date.from(Instant.parse(v.trim()));
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(
          "'" + v + "' is not a time: seconds since 1970 or ISO-8601 such as 2026-12-06T12:00:00Z");
    }
  }

  private static ObjectLink link(String v) {
    String[] parts = v.trim().split(":");
    try {
      return new ObjectLink(Integer.parseInt(parts[0]), Integer.parseInt(parts[1]));
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("an object link is written OBJECT:INSTANCE, e.g. 3:0");
    }
  }

  /** Notifications of what the object browser observes, told to the listeners. */
  private final class Browsed implements org.eclipse.leshan.server.observation.ObservationListener {
    private final org.keyprov.server.provisioning.ProvisioningListener listener;

    Browsed(org.keyprov.server.provisioning.ProvisioningListener listener) {
      this.listener = listener;
    }

    @Override
    public void newObservation(
        org.eclipse.leshan.core.observation.Observation observation,
        org.eclipse.leshan.server.registration.Registration registration) {}

    @Override
    public void cancelled(org.eclipse.leshan.core.observation.Observation observation) {
      browsing.remove(observation.getId().toString());
    }

    @Override
    public void onResponse(
        org.eclipse.leshan.core.observation.SingleObservation observation,
        org.eclipse.leshan.server.registration.Registration registration,
        org.eclipse.leshan.core.response.ObserveResponse response) {
      if (!browsing.contains(observation.getId().toString()) || response.getContent() == null) {
        return;
      }
      for (ObjectAnswer.Resource r : resources(observation.getPath(), response.getContent())) {
        listener.notified(
            registration.getEndpoint(), r.path(), String.join(", ", r.values().values()));
      }
    }

    @Override
    public void onResponse(
        org.eclipse.leshan.core.observation.CompositeObservation observation,
        org.eclipse.leshan.server.registration.Registration registration,
        org.eclipse.leshan.core.response.ObserveCompositeResponse response) {}

    @Override
    public void onError(
        org.eclipse.leshan.core.observation.Observation observation,
        org.eclipse.leshan.server.registration.Registration registration,
        Exception error) {}
  }
}
