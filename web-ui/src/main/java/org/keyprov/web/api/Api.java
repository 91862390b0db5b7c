package org.keyprov.web.api;

import io.javalin.http.Context;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The operator API's table of operations: each says its method, path, who may call it, the record
 * its body binds to and the record it answers with. {@link ApiServlet} serves the table with
 * Javalin and {@link OpenApi} describes it, so the contract cannot drift from the code.
 */
final class Api {
  /** Who may call an operation. */
  enum Access {
    /** Anyone: logging in, the contract itself. */
    PUBLIC,
    /** Any signed-in operator or token, auditors included. */
    READ,
    /** Any signed-in operator, about their own account (an auditor changes their password). */
    SELF,
    /** The operator and admin roles. */
    WRITE,
    /** The admin role. */
    ADMIN,
    /** Only the {@code keyprov} command on this server's host ({@link LocalAdmin}). */
    LOCAL
  }

  /** What an operation does with a request, once the caller and body are checked. */
  @FunctionalInterface
  interface Action<B> {
    /** A {@link Reply}, or the body of the operation's usual answer. */
    Object run(Call<B> call) throws Exception;
  }

  /** One request to an operation: its context, who called, the bound and validated body. */
  record Call<B>(Context ctx, Caller caller, B body) {
    String path(String name) {
      return ctx.pathParam(name);
    }

    String query(String name, String fallback) {
      String v = ctx.queryParam(name);
      return v == null ? fallback : v;
    }

    String actor() {
      return caller.actor();
    }
  }

  /** A query parameter as the contract describes it. */
  record Param(String name, String type, String description) {}

  /** One operation, as served and as described. */
  record Operation(
      String method,
      String path,
      String tag,
      String summary,
      Access access,
      Class<?> body,
      boolean bodyOptional,
      String bodyType,
      int status,
      Type answer,
      String answerType,
      List<Param> query,
      Action<?> action) {}

  private final List<Operation> operations = new ArrayList<>();
  private String tag = "";

  /** The tag of the operations declared next (their group in the API browser). */
  Api tag(String name) {
    this.tag = name;
    return this;
  }

  Builder get(String path, String summary) {
    return new Builder("GET", path, summary);
  }

  Builder post(String path, String summary) {
    return new Builder("POST", path, summary);
  }

  Builder put(String path, String summary) {
    return new Builder("PUT", path, summary);
  }

  Builder delete(String path, String summary) {
    return new Builder("DELETE", path, summary);
  }

  List<Operation> operations() {
    return List.copyOf(operations);
  }

  /** Path → its methods, in declaration order: what {@code Allow} says on a 405. */
  Map<String, List<String>> methodsByPath() {
    Map<String, List<String>> out = new LinkedHashMap<>();
    for (Operation o : operations) {
      out.computeIfAbsent(o.path(), p -> new ArrayList<>()).add(o.method());
    }
    return out;
  }

  final class Builder {
    private final String method;
    private final String path;
    private final String summary;
    private Access access = Access.READ;
    private Class<?> body;
    private boolean bodyOptional;
    private String bodyType = "application/json";
    private int status = 200;
    private Type answer;
    private String answerType = "application/json";
    private final List<Param> query = new ArrayList<>();

    private Builder(String method, String path, String summary) {
      this.method = method;
      this.path = path;
      this.summary = summary;
    }

    Builder access(Access access) {
      this.access = access;
      return this;
    }

    /** The JSON body binds to {@code type}: unknown fields and broken rules answer 400. */
    Builder body(Class<?> type) {
      this.body = type;
      return this;
    }

    /** As {@link #body}, but an empty body stands for {@code {}}. */
    Builder optionalBody(Class<?> type) {
      this.bodyOptional = true;
      return body(type);
    }

    /** The body is text of this media type, handed to the action as a {@code String}. */
    Builder textBody(String mediaType) {
      this.bodyType = mediaType;
      this.body = String.class;
      return this;
    }

    /** The usual answer: {@code status} with a JSON body of {@code type} (null: none). */
    Builder answers(int status, Type type) {
      this.status = status;
      this.answer = type;
      return this;
    }

    Builder answers(Type type) {
      return answers(200, type);
    }

    /** The usual answer is 200 with a body of this media type, not JSON. */
    Builder answersText(String mediaType) {
      this.answerType = mediaType;
      this.answer = String.class;
      return this;
    }

    Builder query(String name, String type, String description) {
      query.add(new Param(name, type, description));
      return this;
    }

    <B> void run(Action<B> action) {
      operations.add(
          new Operation(
              method,
              path,
              tag,
              summary,
              access,
              body,
              bodyOptional,
              bodyType,
              status,
              answer,
              answerType,
              List.copyOf(query),
              Objects.requireNonNull(action, "action")));
    }
  }
}
