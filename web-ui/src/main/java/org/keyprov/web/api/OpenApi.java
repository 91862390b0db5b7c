package org.keyprov.web.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import java.lang.reflect.AnnotatedElement;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.lang.reflect.TypeVariable;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import org.keyprov.web.api.Api.Access;
import org.keyprov.web.api.Api.Operation;

/**
 * The OpenAPI 3.1 document of an {@link Api}, generated from its operation table: every path and
 * method, query and path parameters, request and answer schemas (JSON Schema 2020-12, derived from
 * the records and their Bean Validation rules), the error answers each can give and the security
 * schemes. Nothing in it is written by hand.
 */
final class OpenApi {
  private final ObjectMapper json;
  private final Map<String, ObjectNode> schemas = new TreeMap<>();

  private OpenApi(ObjectMapper json) {
    this.json = json;
  }

  static ObjectNode of(Api api, String version, ObjectMapper json) {
    return new OpenApi(json).document(api, version);
  }

  private ObjectNode document(Api api, String version) {
    ObjectNode doc = json.createObjectNode().put("openapi", "3.1.0");
    doc.putObject("info")
        .put("title", "keyprov operator API")
        .put("version", version)
        .put(
            "description",
            "Devices, Enablers, keys and operators of a keyprov Key Manager. A browser signs in"
                + " (POST /session) and sends X-CSRF-Token with every change; a script sends a"
                + " personal API token as Authorization: Bearer. Errors are RFC 7807"
                + " application/problem+json. The Enablers' lookup API (/zn/…) is not part of"
                + " this document.");
    doc.putArray("servers").addObject().put("url", "/api/v1");
    ObjectNode paths = doc.putObject("paths");
    for (Operation o : api.operations()) {
      ObjectNode path =
          paths.has(o.path()) ? (ObjectNode) paths.get(o.path()) : paths.putObject(o.path());
      path.set(o.method().toLowerCase(java.util.Locale.ROOT), operation(o));
    }
    ObjectNode components = doc.putObject("components");
    ObjectNode security = components.putObject("securitySchemes");
    security
        .putObject("session")
        .put("type", "apiKey")
        .put("in", "cookie")
        .put("name", Auth.COOKIE)
        .put("description", "set by POST /session; changes also need the X-CSRF-Token header");
    security
        .putObject("csrf")
        .put("type", "apiKey")
        .put("in", "header")
        .put("name", "X-CSRF-Token")
        .put("description", "the csrfToken of the session, on every request but GET");
    security
        .putObject("token")
        .put("type", "http")
        .put("scheme", "bearer")
        .put(
            "description",
            "a personal API token (kpt_…): POST /tokens or keyprov admin issue-token");
    security
        .putObject("local")
        .put("type", "http")
        .put("scheme", "bearer")
        .put(
            "description",
            "the server's local admin secret (kpl_…), readable only by the data directory's owner");
    schema(Problem.class);
    ObjectNode out = components.putObject("schemas");
    schemas.forEach(out::set);
    return doc;
  }

  private ObjectNode operation(Operation o) {
    ObjectNode op =
        json.createObjectNode().put("operationId", operationId(o)).put("summary", o.summary());
    op.putArray("tags").add(o.tag());
    ArrayNode params = json.createArrayNode();
    Matcher m = java.util.regex.Pattern.compile("\\{([^}]+)}").matcher(o.path());
    while (m.find()) {
      ObjectNode p =
          params.addObject().put("name", m.group(1)).put("in", "path").put("required", true);
      p.putObject("schema").put("type", "string");
      if (m.group(1).equals("path")) {
        p.put("description", "an LwM2M path without its leading slash, e.g. 3/0/1");
      }
    }
    for (Api.Param q : o.query()) {
      ObjectNode p =
          params.addObject().put("name", q.name()).put("in", "query").put("required", false);
      p.put("description", q.description());
      p.putObject("schema").put("type", q.type());
    }
    if (!params.isEmpty()) {
      op.set("parameters", params);
    }
    if (o.body() != null) {
      ObjectNode body = op.putObject("requestBody").put("required", !o.bodyOptional());
      ObjectNode media = body.putObject("content").putObject(o.bodyType());
      media.set("schema", o.body() == String.class ? stringSchema() : schema(o.body()));
    }
    ObjectNode responses = op.putObject("responses");
    ObjectNode ok =
        responses.putObject(String.valueOf(o.status())).put("description", reason(o.status()));
    if (o.answer() != null) {
      ok.putObject("content")
          .putObject(o.answerType())
          .set("schema", o.answer() == String.class ? stringSchema() : schema(o.answer()));
    }
    if (o.status() == 201) {
      ok.putObject("headers")
          .putObject("Location")
          .put("description", "the new resource")
          .putObject("schema")
          .put("type", "string");
    }
    for (int status : errors(o)) {
      responses
          .putObject(String.valueOf(status))
          .put("description", reason(status))
          .putObject("content")
          .putObject("application/problem+json")
          .set("schema", schema(Problem.class));
    }
    if (o.access() == Access.PUBLIC) {
      op.putArray("security").addObject();
    } else if (o.access() == Access.LOCAL) {
      op.putArray("security").addObject().putArray("local");
    } else {
      ArrayNode security = op.putArray("security");
      ObjectNode session = security.addObject();
      session.putArray("session");
      if (!o.method().equals("GET")) {
        session.putArray("csrf");
      }
      security.addObject().putArray("token");
    }
    if (o.access() == Access.WRITE || o.access() == Access.ADMIN) {
      op.put("x-keyprov-role", o.access() == Access.ADMIN ? "admin" : "operator or admin");
    }
    return op;
  }

  private static List<Integer> errors(Operation o) {
    List<Integer> out = new java.util.ArrayList<>();
    if (o.body() != null || !o.query().isEmpty() || o.path().contains("{")) {
      out.add(400);
    }
    if (o.access() != Access.PUBLIC) {
      out.add(401);
      out.add(403);
    } else if (o.path().equals("/session") && o.method().equals("POST")) {
      out.add(401);
    }
    if (o.path().contains("{")) {
      out.add(404);
    }
    if (!o.method().equals("GET") && o.access() != Access.PUBLIC) {
      out.add(409);
    }
    out.add(405);
    return out;
  }

  private static String operationId(Operation o) {
    StringBuilder id = new StringBuilder(o.method().toLowerCase(java.util.Locale.ROOT));
    for (String part : o.path().split("[/.{}-]+")) {
      if (!part.isEmpty()) {
        id.append(Character.toUpperCase(part.charAt(0))).append(part.substring(1));
      }
    }
    return id.toString();
  }

  private static String reason(int status) {
    return org.eclipse.jetty.http.HttpStatus.getMessage(status);
  }

  private ObjectNode stringSchema() {
    return json.createObjectNode().put("type", "string");
  }

  /** The schema of {@code type}: a {@code $ref} for a record, inline for the rest. */
  private ObjectNode schema(Type type) {
    if (type instanceof ParameterizedType p) {
      Class<?> raw = (Class<?>) p.getRawType();
      Type[] args = p.getActualTypeArguments();
      if (List.class.isAssignableFrom(raw)) {
        ObjectNode s = json.createObjectNode().put("type", "array");
        s.set("items", schema(args[0]));
        return s;
      }
      if (Map.class.isAssignableFrom(raw)) {
        ObjectNode s = json.createObjectNode().put("type", "object");
        s.set("additionalProperties", schema(args[1]));
        return s;
      }
      if (raw.isRecord()) {
        return recordSchema(raw, args);
      }
    }
    Class<?> c = (Class<?>) type;
    if (c == String.class) {
      return stringSchema();
    }
    if (c == Instant.class) {
      return stringSchema().put("format", "date-time");
    }
    if (c == boolean.class || c == Boolean.class) {
      return json.createObjectNode().put("type", "boolean");
    }
    if (c == int.class || c == Integer.class) {
      return json.createObjectNode().put("type", "integer").put("format", "int32");
    }
    if (c == long.class || c == Long.class) {
      return json.createObjectNode().put("type", "integer").put("format", "int64");
    }
    if (c.isRecord()) {
      return recordSchema(c, new Type[0]);
    }
    throw new IllegalStateException("no schema for " + c + " in the operator API");
  }

  /** A record's schema under components, named after it (and its type arguments), by reference. */
  private ObjectNode recordSchema(Class<?> record, Type[] args) {
    StringBuilder name = new StringBuilder(record.getSimpleName());
    for (Type a : args) {
      name.append("Of").append(((Class<?>) a).getSimpleName());
    }
    String key = name.toString();
    if (!schemas.containsKey(key)) {
      ObjectNode s = json.createObjectNode().put("type", "object");
      schemas.put(key, s);
      s.put("additionalProperties", false);
      ObjectNode props = s.putObject("properties");
      ArrayNode required = json.createArrayNode();
      TypeVariable<?>[] vars = record.getTypeParameters();
      for (RecordComponent rc : record.getRecordComponents()) {
        Type t = rc.getGenericType();
        t = bind(t, vars, args);
        ObjectNode p = schema(t);
        AnnotatedElement rules = field(record, rc.getName());
        rules(p, rules, rc);
        if (p.has("$ref") && !rules.isAnnotationPresent(NotNull.class)) {
          // a member record that may be absent (a device not registered has no registration)
          ObjectNode either = json.createObjectNode();
          either.putArray("oneOf").add(p).addObject().put("type", "null");
          p = either;
        }
        props.set(rc.getName(), p);
        if (rules.isAnnotationPresent(NotNull.class) || rules.isAnnotationPresent(NotBlank.class)) {
          required.add(rc.getName());
        }
      }
      if (!required.isEmpty()) {
        s.set("required", required);
      }
    }
    return json.createObjectNode().put("$ref", "#/components/schemas/" + key);
  }

  private static Type bind(Type t, TypeVariable<?>[] vars, Type[] args) {
    if (t instanceof TypeVariable<?> v) {
      for (int i = 0; i < vars.length && i < args.length; i++) {
        if (vars[i].getName().equals(v.getName())) {
          return args[i];
        }
      }
    }
    if (t instanceof ParameterizedType p
        && p.getActualTypeArguments()[0] instanceof TypeVariable<?>) {
      Type[] bound = p.getActualTypeArguments().clone();
      for (int i = 0; i < bound.length; i++) {
        bound[i] = bind(bound[i], vars, args);
      }
      return new Types.Of((Class<?>) p.getRawType(), bound);
    }
    return t;
  }

  private static AnnotatedElement field(Class<?> record, String name) {
    try {
      return record.getDeclaredField(name);
    } catch (NoSuchFieldException impossible) {
      throw new IllegalStateException(impossible);
    }
  }

  /** The Bean Validation rules of a component, as JSON Schema keywords. */
  private static void rules(ObjectNode p, AnnotatedElement field, RecordComponent rc) {
    if (p.has("$ref")) {
      return;
    }
    NotBlank notBlank = field.getAnnotation(NotBlank.class);
    if (notBlank != null) {
      p.put("minLength", 1);
    }
    Size size = field.getAnnotation(Size.class);
    if (size != null) {
      if (size.min() > 0) {
        p.put("minLength", size.min());
      }
      if (size.max() < Integer.MAX_VALUE) {
        p.put("maxLength", size.max());
      }
    }
    Pattern pattern = field.getAnnotation(Pattern.class);
    if (pattern != null) {
      p.put("pattern", "^" + pattern.regexp() + "$");
      if (pattern.regexp().matches("[a-z]+(\\|[a-z]+)+")) {
        ArrayNode values = p.putArray("enum");
        for (String v : pattern.regexp().split("\\|")) {
          values.add(v);
        }
        p.remove("pattern");
      }
    }
    Min min = field.getAnnotation(Min.class);
    if (min != null) {
      p.put("minimum", min.value());
    }
    Max max = field.getAnnotation(Max.class);
    if (max != null) {
      p.put("maximum", max.value());
    }
    if (!rc.getType().isPrimitive()
        && field.getAnnotation(NotNull.class) == null
        && notBlank == null
        && p.has("type")) {
      // a record member that may be absent, or null in an answer
      String type = p.get("type").asText();
      p.putArray("type").add(type).add("null");
    }
  }
}
