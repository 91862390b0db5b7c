package org.keyprov.web.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.eclipse.jetty.http.HttpCookie;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;
import org.keyprov.keys.KeyManager;
import org.keyprov.keys.KeyManagerException;
import org.keyprov.keys.OperatorAccounts.Operator;
import org.keyprov.keys.OperatorAccounts.Role;
import org.keyprov.server.DeviceDirectory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operator REST API, {@code /api/v1/…}, JSON over HTTPS. Every route but login needs a session
 * cookie (401 otherwise); state-changing routes need the role {@code operator} or {@code admin}
 * (403) and the session's CSRF token in {@code X-CSRF-Token} (403). Invalid input gets 400 with the
 * field and a sentence; no route ever returns key material except the DM PSK of a device just
 * created with a generated PSK, once. The contract is {@code openapi.json}, served at {@code
 * /api/v1/openapi.json}.
 */
public final class ApiHandler extends Handler.Abstract {
  static final String PREFIX = "/api/v1/";
  static final String COOKIE = "keyprov_session";
  private static final Logger LOG = LoggerFactory.getLogger(ApiHandler.class);
  private static final int MAX_BODY = 16 * 1024 * 1024;

  final ObjectMapper json = new ObjectMapper();
  final KeyManager km;
  final DeviceDirectory dm;
  final Sessions sessions;
  final java.util.function.Supplier<ServerInfo> info;
  private final Routes routes;

  public ApiHandler(KeyManager km, DeviceDirectory dm, Clock clock) {
    this(km, dm, clock, () -> null);
  }

  /** {@code info}: what the Server page shows, asked at each request (null: no such page). */
  public ApiHandler(
      KeyManager km,
      DeviceDirectory dm,
      Clock clock,
      java.util.function.Supplier<ServerInfo> info) {
    this.info = info;
    this.km = km;
    this.dm = dm;
    this.sessions = new Sessions(km.sessions(), clock, Duration.ofMinutes(30));
    this.routes = new Routes(this);
    this.feed = new EventFeed(km.events(), clock);
    dm.addListener(feed);
  }

  final EventFeed feed;

  @Override
  protected void doStart() throws Exception {
    feed.start();
    super.doStart();
  }

  @Override
  protected void doStop() throws Exception {
    super.doStop();
    feed.close();
  }

  /** One API call: method, path segments after {@code /api/v1/}, query, body, caller. */
  record Call(
      String method, List<String> path, Fields query, byte[] body, Sessions.Session session) {
    String param(String name, String fallback) {
      String v = query.getValue(name);
      return v == null ? fallback : v;
    }

    String actor() {
      return session.operator().username();
    }
  }

  /** What a route answers. */
  record Answer(int status, String contentType, byte[] body) {}

  @Override
  public boolean handle(Request request, Response response, Callback callback) throws Exception {
    String path = Request.getPathInContext(request);
    if (!path.startsWith(PREFIX)) {
      return false;
    }
    response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
    response.getHeaders().put("X-Content-Type-Options", "nosniff");
    if (path.equals(PREFIX + "events") && request.getMethod().equals("GET")) {
      Optional<Sessions.Session> session = sessions.find(cookie(request));
      if (session.isPresent()) {
        stream(request, response, callback, session.get().token());
        return true;
      }
    }
    Answer answer;
    try {
      answer = dispatch(request, response, path.substring(PREFIX.length()));
    } catch (ApiException e) {
      answer = error(e.status, e.code, e.field, e.getMessage());
    } catch (KeyManagerException e) {
      int status =
          switch (e.kind()) {
            case INVALID -> 400;
            case NOT_FOUND -> 404;
            case CONFLICT -> 409;
            case STORAGE -> 500;
          };
      answer =
          error(status, e.kind().name().toLowerCase(java.util.Locale.ROOT), null, e.getMessage());
    } catch (IllegalArgumentException e) {
      answer = error(400, "invalid", null, e.getMessage());
    } catch (RuntimeException e) {
      LOG.error("API {} {} failed", request.getMethod(), path, e);
      answer = error(500, "internal", null, "the server failed; the log has the details");
    }
    response.setStatus(answer.status());
    if (answer.body() != null) {
      response.getHeaders().put(HttpHeader.CONTENT_TYPE, answer.contentType());
      response.write(true, ByteBuffer.wrap(answer.body()), callback);
    } else {
      callback.succeeded();
    }
    return true;
  }

  private Answer dispatch(Request request, Response response, String rest) throws IOException {
    // decode each segment on its own, so an encoded '/' stays inside its segment
    List<String> segments =
        java.util.Arrays.stream(rest.split("/", -1))
            .map(org.eclipse.jetty.util.URIUtil::decodePath)
            .toList();
    String method = request.getMethod();
    byte[] body;
    try (InputStream in = Content.Source.asInputStream(request)) {
      body = in.readNBytes(MAX_BODY + 1);
    }
    if (body.length > MAX_BODY) {
      throw new ApiException(413, "too_large", null, "request body over 16 MiB");
    }
    Fields query = Request.extractQueryParameters(request);
    if (rest.equals("openapi.json")) {
      try (InputStream in = ApiHandler.class.getResourceAsStream("openapi.json")) {
        return new Answer(200, "application/json", in.readAllBytes());
      }
    }
    if (rest.equals("session")) {
      return session(request, response, method, body);
    }
    Sessions.Session session =
        sessions
            .find(cookie(request))
            .orElseThrow(
                () ->
                    new ApiException(
                        401, "unauthenticated", null, "log in first: POST /api/v1/session"));
    boolean ownPassword = rest.equals("session/password");
    if (!method.equals("GET")) {
      if (session.operator().role() == Role.AUDITOR && !ownPassword) {
        throw new ApiException(403, "forbidden", null, "the auditor role is read-only");
      }
      String csrf = request.getHeaders().get("X-CSRF-Token");
      if (csrf == null
          || !java.security.MessageDigest.isEqual(
              csrf.getBytes(StandardCharsets.UTF_8),
              session.csrf().getBytes(StandardCharsets.UTF_8))) {
        throw new ApiException(403, "csrf", null, "missing or wrong X-CSRF-Token header");
      }
    }
    if (ownPassword) {
      return changePassword(method, body, session);
    }
    return routes.route(new Call(method, segments, query, body, session));
  }

  /** The logged-in operator replaces their password; their other sessions end (new stamp). */
  private Answer changePassword(String method, byte[] body, Sessions.Session session) {
    if (!method.equals("POST")) {
      throw new ApiException(405, "method", null, "use POST");
    }
    JsonNode in = body(body);
    char[] current = text(in, "current", true).toCharArray();
    char[] replacement = text(in, "password", true).toCharArray();
    String username = session.operator().username();
    boolean changed;
    try {
      changed = km.operators().changePassword(username, current, replacement);
    } catch (KeyManagerException e) {
      if (e.kind() == KeyManagerException.Kind.INVALID) {
        throw ApiException.badRequest("password", e.getMessage());
      }
      throw e;
    } finally {
      java.util.Arrays.fill(current, '\0');
      java.util.Arrays.fill(replacement, '\0');
    }
    if (!changed) {
      throw ApiException.badRequest("current", "the current password is wrong");
    }
    sessions.restamp(session.token());
    return new Answer(204, null, null);
  }

  /**
   * Server-sent events: provisioning outcomes and connection results from every node, each with its
   * id; a browser that reconnects with {@code Last-Event-ID} first gets what it missed. A comment
   * every 15 s keeps the stream alive; it ends within 15 s of the session ending.
   */
  private void stream(Request request, Response response, Callback callback, String token) {
    java.util.concurrent.BlockingQueue<EventFeed.Sent> queue = feed.subscribe();
    response.setStatus(200);
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/event-stream; charset=utf-8");
    try (java.io.OutputStream out = Content.Sink.asOutputStream(response)) {
      out.write(": connected\n\n".getBytes(StandardCharsets.UTF_8));
      long last = lastEventId(request);
      if (last >= 0) {
        for (EventFeed.Sent missed : feed.since(last)) {
          write(out, missed);
          last = missed.id();
        }
      }
      out.flush();
      while (true) {
        EventFeed.Sent event = queue.poll(15, java.util.concurrent.TimeUnit.SECONDS);
        if (event == null) {
          if (!sessions.isOpen(token)) {
            return; // logged out, idle, deleted or its password changed: the feed ends too
          }
          out.write(": keep-alive\n\n".getBytes(StandardCharsets.UTF_8));
        } else if (event.id() > last) {
          write(out, event);
          last = event.id();
        }
        out.flush();
      }
    } catch (IOException | InterruptedException gone) {
      // the browser went away, or the server is stopping
    } catch (org.keyprov.keys.KeyManagerException e) {
      LOG.warn("event stream ended: {}", e.getMessage());
    } finally {
      feed.unsubscribe(queue);
      callback.succeeded();
    }
  }

  private static void write(java.io.OutputStream out, EventFeed.Sent event) throws IOException {
    out.write(
        ("id: " + event.id() + "\ndata: " + event.json() + "\n\n")
            .getBytes(StandardCharsets.UTF_8));
  }

  /** The {@code Last-Event-ID} a reconnecting browser sends; -1 without one (or a bad one). */
  private static long lastEventId(Request request) {
    String header = request.getHeaders().get("Last-Event-ID");
    if (header == null) {
      return -1;
    }
    try {
      return Math.max(-1, Long.parseLong(header.trim()));
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  private Answer session(Request request, Response response, String method, byte[] body)
      throws IOException {
    switch (method) {
      case "POST" -> {
        JsonNode in = body(body);
        String username = text(in, "username", true);
        String password = text(in, "password", true);
        Operator operator =
            km.operators()
                .authenticate(username, password.toCharArray())
                .orElseThrow(
                    () ->
                        new ApiException(
                            401, "unauthenticated", null, "wrong username or password"));
        Sessions.Session s = sessions.open(operator);
        Response.addCookie(
            response,
            HttpCookie.build(COOKIE, s.token())
                .httpOnly(true)
                .secure(true)
                .sameSite(HttpCookie.SameSite.STRICT)
                .path("/")
                .build());
        return ok(me(s));
      }
      case "GET" -> {
        return ok(
            me(
                sessions
                    .find(cookie(request))
                    .orElseThrow(
                        () -> new ApiException(401, "unauthenticated", null, "not logged in"))));
      }
      case "DELETE" -> {
        sessions.close(cookie(request));
        return new Answer(204, null, null);
      }
      default -> throw new ApiException(405, "method", null, "use POST, GET or DELETE");
    }
  }

  private ObjectNode me(Sessions.Session s) {
    return json.createObjectNode()
        .put("username", s.operator().username())
        .put("role", s.operator().role().name().toLowerCase(java.util.Locale.ROOT))
        .put("csrfToken", s.csrf());
  }

  private static String cookie(Request request) {
    for (HttpCookie c : Request.getCookies(request)) {
      if (c.getName().equals(COOKIE)) {
        return c.getValue();
      }
    }
    return null;
  }

  JsonNode body(byte[] body) {
    try {
      JsonNode node = json.readTree(body);
      if (node == null || !node.isObject()) {
        throw ApiException.badRequest(null, "the body must be a JSON object");
      }
      return node;
    } catch (IOException e) {
      throw ApiException.badRequest(null, "the body is not valid JSON");
    }
  }

  static String text(JsonNode in, String field, boolean required) {
    JsonNode v = in.get(field);
    if (v == null || v.isNull()) {
      if (required) {
        throw ApiException.badRequest(field, field + " is required");
      }
      return null;
    }
    if (!v.isTextual()) {
      throw ApiException.badRequest(field, field + " must be a string");
    }
    return v.asText();
  }

  Answer ok(JsonNode node) {
    return answer(200, node);
  }

  Answer answer(int status, JsonNode node) {
    try {
      return new Answer(status, "application/json", json.writeValueAsBytes(node));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private Answer error(int status, String code, String field, String message) {
    ObjectNode e =
        json.createObjectNode().put("error", code).put("message", message == null ? "" : message);
    if (field != null) {
      e.put("field", field);
    }
    return answer(status, e);
  }

  ArrayNode array() {
    return json.createArrayNode();
  }

  Optional<String> nonBlank(String s) {
    return s == null || s.isBlank() ? Optional.empty() : Optional.of(s);
  }
}
