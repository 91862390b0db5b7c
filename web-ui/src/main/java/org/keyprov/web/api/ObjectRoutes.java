package org.keyprov.web.api;

import java.util.ArrayList;
import java.util.List;
import org.keyprov.keys.KeyManager;
import org.keyprov.server.DeviceDirectory;
import org.keyprov.server.DeviceObjects;
import org.keyprov.server.ObjectAnswer;
import org.keyprov.web.api.Api.Access;
import org.keyprov.web.api.Bodies.Execute;
import org.keyprov.web.api.Bodies.ResourceWrite;
import org.keyprov.web.api.Views.NodeAnswer;
import org.keyprov.web.api.Views.ObjectLink;
import org.keyprov.web.api.Views.ObjectList;

/**
 * The object browser in the operator API: {@code GET devices/{ep}/objects} lists what the device
 * registered with; under {@code devices/{ep}/lwm2m/{object}[/{instance}[/{resource}]]}, GET reads,
 * PUT {@code {"value": …}} writes a resource, POST {@code {"arguments": …}} executes one and DELETE
 * deletes an instance. The device's own answer (code and error) comes back as it is; writes,
 * executes and deletes are audited, never with the value written.
 */
final class ObjectRoutes {
  private static final String NODE = "/devices/{endpoint}/lwm2m/{path}";
  private static final String FORMAT =
      "the content format to ask for: " + formats() + " or its CoAP number; the device's if none";

  private final KeyManager km;
  private final DeviceDirectory dm;

  ObjectRoutes(KeyManager km, DeviceDirectory dm) {
    this.km = km;
    this.dm = dm;
  }

  /** What an operation asks of the device. */
  @FunctionalInterface
  private interface Ask {
    ObjectAnswer ask(DeviceObjects objects, String endpoint, String path) throws Exception;
  }

  void register(Api api) {
    api.tag("objects");
    api.get("/devices/{endpoint}/objects", "The objects and instances the device registered with")
        .answers(ObjectList.class)
        .run(c -> objectList(c.path("endpoint")));
    api.post(NODE + "/observe", "Observes a node; new values arrive on the event stream")
        .access(Access.WRITE)
        .query("format", "string", FORMAT)
        .answers(NodeAnswer.class)
        .run(c -> ask(c, null, (o, e, p) -> o.observe(e, p, format(c))));
    api.get(NODE, "Reads an object, instance or resource (path such as 3/0 or 3/0/1)")
        .query("format", "string", FORMAT)
        .answers(NodeAnswer.class)
        .run(c -> ask(c, null, (o, e, p) -> o.read(e, p, format(c))));
    api.put(NODE, "Writes a resource")
        .access(Access.WRITE)
        .query("format", "string", "the content format to write in: " + formats() + "; TLV if none")
        .body(ResourceWrite.class)
        .answers(NodeAnswer.class)
        .run(
            (Api.Call<ResourceWrite> c) ->
                ask(c, "lwm2m.write", (o, e, p) -> o.write(e, p, c.body().value(), format(c))));
    api.post(NODE, "Executes a resource")
        .access(Access.WRITE)
        .optionalBody(Execute.class)
        .answers(NodeAnswer.class)
        .run(
            (Api.Call<Execute> c) ->
                ask(c, "lwm2m.execute", (o, e, p) -> o.execute(e, p, c.body().arguments())));
    api.delete(NODE, "Deletes an object instance")
        .access(Access.WRITE)
        .answers(NodeAnswer.class)
        .run(c -> ask(c, "lwm2m.delete", DeviceObjects::delete));
  }

  /** The {@code format} asked for, checked; null for none. */
  private static String format(Api.Call<?> c) {
    try {
      return DeviceObjects.format(c.query("format", ""));
    } catch (IllegalArgumentException e) {
      throw ApiException.badRequest("format", e.getMessage());
    }
  }

  private static String formats() {
    return String.join(", ", DeviceObjects.formats());
  }

  private NodeAnswer ask(Api.Call<?> c, String audited, Ask ask) throws Exception {
    String endpoint = c.path("endpoint");
    String path = "/" + c.path("path");
    DeviceObjects objects =
        dm.objects()
            .orElseThrow(() -> new ApiException(404, "not_found", null, "no object browser here"));
    try {
      ObjectAnswer a = ask.ask(objects, endpoint, path);
      if (audited != null) {
        km.audit()
            .record(
                c.actor(),
                audited,
                endpoint,
                path
                    + ": "
                    + a.coapCode()
                    + " "
                    + a.code()
                    + (a.error() == null ? "" : " " + a.error()));
      }
      return NodeAnswer.of(a);
    } catch (IllegalArgumentException e) {
      throw ApiException.badRequest("path", e.getMessage());
    } catch (IllegalStateException e) {
      // not registered, or it did not answer in time
      throw new ApiException(409, "device_unavailable", null, e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ApiException(503, "unavailable", null, "the server is stopping");
    }
  }

  private ObjectList objectList(String endpoint) {
    List<ObjectLink> links = new ArrayList<>();
    dm.registrationInfo(endpoint)
        .ifPresent(
            r ->
                r.objectLinks()
                    .forEach(
                        link -> {
                          String path = link.replaceAll("^<([^>]*)>.*$", "$1");
                          String[] parts = path.split("/");
                          String name =
                              parts.length > 1 && parts[1].matches("\\d+")
                                  ? dm.objects()
                                      .map(d -> d.objectName(Integer.parseInt(parts[1])))
                                      .orElse(null)
                                  : null;
                          links.add(new ObjectLink(path, link, name));
                        }));
    return new ObjectList(endpoint, links, dm.isRegistered(endpoint));
  }
}
