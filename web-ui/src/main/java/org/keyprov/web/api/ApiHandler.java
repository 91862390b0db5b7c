package org.keyprov.web.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.http.HttpCookie;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.keyprov.keys.KeyManager;
import org.keyprov.server.DeviceDirectory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operator REST API, {@code /api/v1/…}, JSON over HTTPS, served by Javalin ({@link ApiServlet})
 * from the operation table the route classes declare; the contract, generated from that table, is
 * at {@code /api/v1/openapi.json} and browsable at {@code /api/docs/}. The event stream ({@code
 * /api/v1/events}) is served here, beside Javalin, as long-lived Jetty responses. No operation ever
 * returns key material except a DM PSK the server just generated, once.
 */
public final class ApiHandler extends Handler.Wrapper {
  private static final Logger LOG = LoggerFactory.getLogger(ApiHandler.class);
  static final String PREFIX = "/api/v1/";

  final KeyManager km;
  final Sessions sessions;
  private final Auth auth;
  private final EventFeed feed;
  private final ApiServlet servlet;
  private final ApiDocs docs;
  private final ImportRunner imports;
  private final CounterHistory charts;

  public ApiHandler(KeyManager km, DeviceDirectory dm, Clock clock) {
    this(km, dm, clock, () -> null);
  }

  /** {@code info}: what the Server page shows, asked at each request (null: no such page). */
  public ApiHandler(KeyManager km, DeviceDirectory dm, Clock clock, Supplier<ServerInfo> info) {
    this(km, dm, clock, info, null);
  }

  /** With {@code local}: admin command lines from this host run in this server. */
  public ApiHandler(
      KeyManager km, DeviceDirectory dm, Clock clock, Supplier<ServerInfo> info, LocalAdmin local) {
    this(km, dm, clock, info, local, null);
  }

  /**
   * With {@code meters}: the registry the DM server and the lookups count into, which the
   * dashboard's charts sample (null: no charts).
   */
  public ApiHandler(
      KeyManager km,
      DeviceDirectory dm,
      Clock clock,
      Supplier<ServerInfo> info,
      LocalAdmin local,
      io.micrometer.core.instrument.MeterRegistry meters) {
    this.km = km;
    this.sessions = new Sessions(km.sessions(), clock, Duration.ofMinutes(30));
    this.auth = new Auth(sessions, km.tokens(), local == null ? null : local.secret());
    this.feed = new EventFeed(km.events(), clock);
    dm.addListener(feed);
    ObjectMapper json =
        new ObjectMapper()
            .registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);
    this.imports = new ImportRunner(km);
    this.charts = new CounterHistory(meters, clock);
    Api api = operations(km, dm, info, sessions, imports);
    api.tag("fleet")
        .get(
            "/dashboard/charts",
            "This node's registrations, provisioning outcomes and lookups per 10 s, last hour")
        .answers(CounterHistory.Charts.class)
        .run(c -> charts.charts());
    if (local != null) {
      api.tag("admin")
          .post(
              "/admin/cli", "Runs a keyprov admin command line (the keyprov command on this host)")
          .access(Api.Access.LOCAL)
          .body(Bodies.CliRun.class)
          .answers(Views.CliResult.class)
          .run(
              (Api.Call<Bodies.CliRun> c) -> {
                LocalAdmin.Ran ran = local.runner().run(c.body().args(), c.body().user());
                return new Views.CliResult(ran.exitCode(), ran.out(), ran.err());
              });
    }
    byte[][] contract = new byte[1][];
    api.tag("contract")
        .get("/openapi.json", "This document")
        .access(Api.Access.PUBLIC)
        .answersText("application/json")
        .run(c -> Reply.bytes("application/json", contract[0]));
    String version =
        Optional.ofNullable(ApiHandler.class.getPackage().getImplementationVersion())
            .orElse("development");
    try {
      contract[0] =
          json.writerWithDefaultPrettyPrinter().writeValueAsBytes(OpenApi.of(api, version, json));
    } catch (IOException e) {
      throw new IllegalStateException("the OpenAPI document did not serialise", e);
    }
    this.servlet = new ApiServlet(api, auth, json);
    this.docs = new ApiDocs();
    ServletContextHandler context = new ServletContextHandler("/api/v1");
    context.addServlet(new ServletHolder("operator-api", servlet.servlet()), "/*");
    setHandler(context);
  }

  /** Every operation of the API, in the order of the API browser. */
  static Api operations(
      KeyManager km,
      DeviceDirectory dm,
      Supplier<ServerInfo> info,
      Sessions sessions,
      ImportRunner imports) {
    Api api = new Api();
    BootstrapRoutes bootstrap = new BootstrapRoutes(km, dm);
    new Routes(km, dm, info).register(api);
    new DeviceRoutes(km, dm, bootstrap).register(api);
    new ImportRoutes(km, imports).register(api);
    bootstrap.register(api);
    new ObjectRoutes(km, dm).register(api);
    new AccountRoutes(km, sessions).register(api);
    return api;
  }

  @Override
  protected void doStart() throws Exception {
    feed.start();
    charts.start();
    super.doStart();
  }

  @Override
  protected void doStop() throws Exception {
    super.doStop();
    feed.close();
    imports.close();
    charts.close();
    servlet.close();
  }

  @Override
  public boolean handle(Request request, Response response, Callback callback) throws Exception {
    String path = Request.getPathInContext(request);
    if (docs.handle(path, request, response, callback)) {
      return true;
    }
    if (!path.startsWith(PREFIX)) {
      return false;
    }
    if (path.equals(PREFIX + "events") && request.getMethod().equals("GET")) {
      Optional<BooleanSupplier> open = streamCaller(request);
      if (open.isPresent()) {
        stream(request, response, callback, open.get());
        return true;
      }
    }
    return super.handle(request, response, callback);
  }

  /**
   * Whether the caller of an event stream may read it, and how to tell later that it no longer may
   * (logged out, idle, deleted, password changed; token revoked); empty lets the API answer 401.
   */
  private Optional<BooleanSupplier> streamCaller(Request request) {
    String authorization = request.getHeaders().get(HttpHeader.AUTHORIZATION);
    if (authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
      String token = authorization.substring(7).trim();
      return km.tokens()
          .authenticate(token)
          .map(h -> () -> km.tokens().authenticate(token).isPresent());
    }
    String cookie = null;
    for (HttpCookie c : Request.getCookies(request)) {
      if (c.getName().equals(Auth.COOKIE)) {
        cookie = c.getValue();
      }
    }
    String session = cookie;
    return auth.session(session).map(s -> () -> sessions.isOpen(session));
  }

  /**
   * Server-sent events: provisioning outcomes and connection results from every node, each with its
   * id; a browser that reconnects with {@code Last-Event-ID} first gets what it missed. A comment
   * every 15 s keeps the stream alive; it ends within 15 s of the caller losing access. No thread
   * waits for a stream: the feed writes to it ({@link EventStream}).
   */
  private void stream(
      Request request, Response response, Callback callback, BooleanSupplier stillAllowed) {
    long last = lastEventId(request);
    EventStream[] stream = new EventStream[1];
    stream[0] =
        new EventStream(response, callback, stillAllowed, last, () -> feed.unsubscribe(stream[0]));
    try {
      feed.subscribe(stream[0], last);
    } catch (org.keyprov.keys.KeyManagerException e) {
      LOG.warn("event stream ended: {}", e.getMessage());
      stream[0].end();
    }
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

  /** Writes a whole small answer. */
  static void answer(Response response, Callback callback, String type, byte[] body) {
    response.setStatus(200);
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, type);
    response.write(true, ByteBuffer.wrap(body), callback);
  }
}
