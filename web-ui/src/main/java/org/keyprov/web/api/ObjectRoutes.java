package org.keyprov.web.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import org.keyprov.server.DeviceObjects;
import org.keyprov.server.ObjectAnswer;
import org.keyprov.web.api.ApiHandler.Answer;
import org.keyprov.web.api.ApiHandler.Call;

/**
 * The object browser in the operator API: {@code GET devices/{ep}/objects} lists what the device
 * registered with; under {@code devices/{ep}/lwm2m/{object}[/{instance}[/{resource}]]}, GET reads,
 * PUT {@code {"value": …}} writes a resource, POST {@code {"arguments": …}} executes one and DELETE
 * deletes an instance. The device's own answer (code and error) comes back as it is; writes,
 * executes and deletes are audited, never with the value written.
 */
final class ObjectRoutes {
  private final ApiHandler api;

  ObjectRoutes(ApiHandler api) {
    this.api = api;
  }

  /** The routes under {@code /devices/{endpoint}/}, or null if {@code p} is none of them. */
  Answer route(Call c, String endpoint, List<String> p, String m) {
    if (p.size() == 3 && p.get(2).equals("objects") && m.equals("GET")) {
      return api.ok(objectList(endpoint));
    }
    if (p.size() < 4 || p.size() > 7 || !p.get(2).equals("lwm2m")) {
      return null;
    }
    boolean observe = p.get(p.size() - 1).equals("observe") && m.equals("POST");
    String path = "/" + String.join("/", p.subList(3, p.size() - (observe ? 1 : 0)));
    DeviceObjects objects =
        api.dm
            .objects()
            .orElseThrow(() -> new ApiException(404, "not_found", null, "no object browser here"));
    try {
      ObjectAnswer answer =
          observe
              ? objects.observe(endpoint, path)
              : switch (m) {
                case "GET" -> objects.read(endpoint, path);
                case "PUT" -> {
                  JsonNode in = api.body(c.body());
                  String value = ApiHandler.text(in, "value", true);
                  ObjectAnswer a = objects.write(endpoint, path, value);
                  audit(c, "lwm2m.write", endpoint, path, a);
                  yield a;
                }
                case "POST" -> {
                  JsonNode in =
                      c.body().length == 0 ? api.json.createObjectNode() : api.body(c.body());
                  ObjectAnswer a =
                      objects.execute(endpoint, path, ApiHandler.text(in, "arguments", false));
                  audit(c, "lwm2m.execute", endpoint, path, a);
                  yield a;
                }
                case "DELETE" -> {
                  ObjectAnswer a = objects.delete(endpoint, path);
                  audit(c, "lwm2m.delete", endpoint, path, a);
                  yield a;
                }
                default -> null;
              };
      return answer == null ? null : api.ok(json(answer));
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

  private void audit(Call c, String action, String endpoint, String path, ObjectAnswer a) {
    api.km
        .audit()
        .record(
            c.actor(),
            action,
            endpoint,
            path
                + ": "
                + a.coapCode()
                + " "
                + a.code()
                + (a.error() == null ? "" : " " + a.error()));
  }

  private ObjectNode objectList(String endpoint) {
    ObjectNode out = api.json.createObjectNode().put("endpoint", endpoint);
    ArrayNode links = out.putArray("objects");
    api.dm
        .registrationInfo(endpoint)
        .ifPresent(
            r ->
                r.objectLinks()
                    .forEach(
                        link -> {
                          String path = link.replaceAll("^<([^>]*)>.*$", "$1");
                          ObjectNode o = links.addObject().put("path", path).put("link", link);
                          String[] parts = path.split("/");
                          if (parts.length > 1 && parts[1].matches("\\d+")) {
                            api.dm
                                .objects()
                                .map(d -> d.objectName(Integer.parseInt(parts[1])))
                                .ifPresent(n -> o.put("name", n));
                          }
                        }));
    out.put("online", api.dm.isRegistered(endpoint));
    return out;
  }

  private ObjectNode json(ObjectAnswer a) {
    ObjectNode out =
        api.json
            .createObjectNode()
            .put("code", a.code())
            .put("coapCode", a.coapCode())
            .put("success", a.success())
            .put("error", a.error());
    ArrayNode resources = out.putArray("resources");
    for (ObjectAnswer.Resource r : a.resources()) {
      ObjectNode n =
          resources
              .addObject()
              .put("path", r.path())
              .put("id", r.id())
              .put("name", r.name())
              .put("type", r.type())
              .put("operations", r.operations())
              .put("multiple", r.multiple());
      ObjectNode values = n.putObject("values");
      r.values().forEach((k, v) -> values.put(String.valueOf(k), v));
    }
    return out;
  }
}
