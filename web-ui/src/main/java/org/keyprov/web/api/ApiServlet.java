package org.keyprov.web.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import jakarta.servlet.Servlet;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.Validation;
import jakarta.validation.Validator;
import jakarta.validation.ValidatorFactory;
import java.nio.charset.StandardCharsets;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.hibernate.validator.messageinterpolation.ParameterMessageInterpolator;
import org.keyprov.keys.KeyManagerException;
import org.keyprov.web.api.Api.Call;
import org.keyprov.web.api.Api.Operation;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves the operations of an {@link Api} with Javalin: checks the caller ({@link Auth}), binds the
 * JSON body to its record with Jackson (an unknown field is a 400 naming it), validates it (Bean
 * Validation), runs the action and writes its answer. Every error is an RFC 7807 {@code
 * application/problem+json} body with a machine-readable {@code code} and, for bad input, the
 * {@code field}; a known path with another method answers 405 with {@code Allow}.
 */
final class ApiServlet {
  private static final Logger LOG = LoggerFactory.getLogger(ApiServlet.class);
  static final long MAX_BODY = 16L * 1024 * 1024;

  private final ObjectMapper json;
  private final Auth auth;
  private final Validator validator;
  private final ValidatorFactory validators;
  private final Javalin javalin;

  ApiServlet(Api api, Auth auth, ObjectMapper json) {
    this.auth = auth;
    this.json = json.copy().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    this.json.enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);
    this.json.enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    this.validators =
        Validation.byDefaultProvider()
            .configure()
            .messageInterpolator(new ParameterMessageInterpolator())
            .buildValidatorFactory();
    this.validator = validators.getValidator();
    this.javalin =
        Javalin.create(
            config -> {
              config.http.maxRequestSize = MAX_BODY;
              config.startup.showJavalinBanner = false;
              config.router.ignoreTrailingSlashes = false;
              for (Operation o : api.operations()) {
                config.routes.addHttpHandler(
                    HandlerType.findOrCreate(o.method()),
                    javalinPath(o.path()),
                    ctx -> serve(o, ctx));
              }
              for (Map.Entry<String, List<String>> p : api.methodsByPath().entrySet()) {
                for (String m : List.of("GET", "POST", "PUT", "DELETE", "PATCH")) {
                  if (!p.getValue().contains(m)) {
                    String allow = String.join(", ", p.getValue());
                    config.routes.addHttpHandler(
                        HandlerType.findOrCreate(m),
                        javalinPath(p.getKey()),
                        ctx -> {
                          ctx.header("Allow", allow);
                          throw new ApiException(
                              405,
                              "method_not_allowed",
                              null,
                              m + " is not an operation of " + p.getKey() + "; use " + allow);
                        });
                  }
                }
              }
              config.routes.exception(Exception.class, this::failed);
              config.routes.exception(io.javalin.http.HttpResponseException.class, this::failed);
            });
  }

  Servlet servlet() {
    return javalin.javalinServlet();
  }

  void close() {
    validators.close();
  }

  /** {@code /devices/{endpoint}/lwm2m/{path}}: the path of an LwM2M node spans segments. */
  private static String javalinPath(String path) {
    return path.replace("{path}", "<path>");
  }

  private void serve(Operation o, Context ctx) throws Exception {
    ctx.header("Cache-Control", "no-store");
    Caller caller = auth.check(ctx, o.access());
    Object body = o.body() == null ? null : bind(o, ctx);
    @SuppressWarnings("unchecked")
    Api.Action<Object> action = (Api.Action<Object>) o.action();
    Object out = action.run(new Call<>(ctx, caller, body));
    Reply reply = out instanceof Reply r ? r : new Reply(o.status(), out, o.answerType(), null);
    ctx.status(reply.status());
    if (reply.location() != null) {
      ctx.header("Location", reply.location());
    }
    if (reply.body() instanceof byte[] bytes) {
      ctx.contentType(reply.contentType()).result(bytes);
    } else if (reply.body() != null) {
      ctx.contentType("application/json").result(json.writeValueAsBytes(reply.body()));
    }
  }

  /** The request body as the operation's record (or text), checked against its rules. */
  private Object bind(Operation o, Context ctx) {
    byte[] bytes = ctx.bodyAsBytes();
    if (o.body() == String.class) {
      return new String(bytes, StandardCharsets.UTF_8);
    }
    if (bytes.length == 0 && o.bodyOptional()) {
      bytes = "{}".getBytes(StandardCharsets.UTF_8);
    }
    Object body;
    try {
      if (bytes.length == 0 || !json.readTree(bytes).isObject()) {
        throw ApiException.badRequest(null, "the body must be a JSON object");
      }
      body = json.readValue(bytes, o.body());
    } catch (UnrecognizedPropertyException e) {
      throw ApiException.badRequest(
          e.getPropertyName(),
          "unknown field '"
              + e.getPropertyName()
              + "'; the fields are "
              + e.getKnownPropertyIds().stream()
                  .map(String::valueOf)
                  .sorted()
                  .collect(Collectors.joining(", ")));
    } catch (JsonMappingException e) {
      String field =
          e.getPath().stream()
              .map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
              .collect(Collectors.joining("."));
      throw ApiException.badRequest(
          field.isEmpty() ? null : field,
          field.isEmpty()
              ? "the body does not fit this operation"
              : field + " has the wrong type or form");
    } catch (JsonProcessingException e) {
      throw ApiException.badRequest(null, "the body is not valid JSON");
    } catch (java.io.IOException e) {
      throw ApiException.badRequest(null, "the body could not be read");
    }
    Set<ConstraintViolation<Object>> broken = validator.validate(body);
    if (!broken.isEmpty()) {
      ConstraintViolation<Object> first =
          broken.stream()
              .min(
                  Comparator.comparing(
                      (ConstraintViolation<Object> v) -> v.getPropertyPath().toString()))
              .orElseThrow();
      String field = first.getPropertyPath().toString();
      throw ApiException.badRequest(field, field + " " + first.getMessage());
    }
    return body;
  }

  private void failed(Exception e, Context ctx) {
    problem(ctx, problemOf(e, ctx));
  }

  private static ApiException problemOf(Exception e, Context ctx) {
    if (e instanceof ApiException a) {
      return a;
    }
    if (e instanceof KeyManagerException k) {
      int status =
          switch (k.kind()) {
            case INVALID -> 400;
            case NOT_FOUND -> 404;
            case CONFLICT -> 409;
            case STORAGE -> 500;
          };
      return new ApiException(
          status, k.kind().name().toLowerCase(Locale.ROOT), null, k.getMessage());
    }
    if (e instanceof IllegalArgumentException) {
      return ApiException.badRequest(null, e.getMessage());
    }
    if (e instanceof io.javalin.router.EndpointNotFound) {
      return new ApiException(
          404,
          "not_found",
          null,
          "no such API route: "
              + ctx.method()
              + " "
              + ctx.path()
              + " (the contract is /api/v1/openapi.json)");
    }
    if (e instanceof io.javalin.http.HttpResponseException h) {
      return h.getStatus() == 413
          ? new ApiException(413, "too_large", null, "request body over 16 MiB")
          : new ApiException(h.getStatus(), "http_" + h.getStatus(), null, h.getMessage());
    }
    LOG.error("API {} {} failed", ctx.method(), ctx.path(), e);
    return new ApiException(500, "internal", null, "the server failed; the log has the details");
  }

  /** An RFC 7807 problem: type, title, status, detail, and our code and field. */
  private void problem(Context ctx, ApiException e) {
    Problem body =
        new Problem(
            "urn:keyprov:problem:" + e.code,
            org.eclipse.jetty.http.HttpStatus.getMessage(e.status),
            e.status,
            e.getMessage() == null ? "" : e.getMessage(),
            e.code,
            e.field);
    ctx.status(e.status);
    ctx.header("Cache-Control", "no-store");
    try {
      ctx.contentType("application/problem+json").result(json.writeValueAsBytes(body));
    } catch (JsonProcessingException impossible) {
      throw new IllegalStateException(impossible);
    }
  }
}
