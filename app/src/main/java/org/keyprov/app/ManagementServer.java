package org.keyprov.app;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;

/**
 * The operations port, plain HTTP, for Prometheus and probes only: {@code /metrics} (Prometheus
 * text, or OpenMetrics when asked), {@code /healthz} (the process answers) and {@code /readyz} (200
 * when every {@link Readiness} check passes, else 503 naming what is wrong, as JSON). Nothing on it
 * is secret, and it changes nothing; it listens only where the operator says ({@code
 * --management-port}, {@value #ENV} or {@code management.port}), at the command's bind address.
 */
final class ManagementServer implements AutoCloseable {
  static final String ENV = "KEYPROV_MANAGEMENT_PORT";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Server jetty;
  private final ServerConnector connector;

  ManagementServer(
      InetSocketAddress address, PrometheusMeterRegistry registry, Readiness readiness) {
    this.jetty = new Server();
    this.connector = new ServerConnector(jetty);
    connector.setHost(address.getHostString());
    connector.setPort(address.getPort());
    jetty.addConnector(connector);
    jetty.setHandler(new Endpoints(registry, readiness));
  }

  /**
   * The management port the operator asked for: {@code flag}, else {@value #ENV}, else {@code
   * management.port} in the data directory's settings file; empty for none (the default).
   */
  static java.util.Optional<Integer> port(Path dataDir, Integer flag, Map<String, String> env)
      throws IOException {
    if (flag != null) {
      Ports.check("--management-port", flag);
      return java.util.Optional.of(flag);
    }
    String given =
        DatabaseSettings.first(
            env.get(ENV),
            SettingsFile.read(SettingsFile.at(dataDir)).getProperty("management.port"));
    if (given == null) {
      return java.util.Optional.empty();
    }
    try {
      int port = Integer.parseInt(given.strip());
      Ports.check(ENV + " or management.port", port);
      return java.util.Optional.of(port);
    } catch (NumberFormatException e) {
      throw new UsageException(
          "management port '"
              + given
              + "' ("
              + ENV
              + " or management.port): give a port number 0..65535");
    }
  }

  void start() throws Exception {
    jetty.start();
  }

  /** {@code http://host:port}, with the actual port once started. */
  URI uri() {
    String host =
        connector.getHost() == null || connector.getHost().equals("0.0.0.0")
            ? "127.0.0.1"
            : connector.getHost();
    return URI.create("http://" + host + ":" + connector.getLocalPort());
  }

  @Override
  public void close() throws Exception {
    jetty.stop();
  }

  private static final class Endpoints extends Handler.Abstract {
    private final PrometheusMeterRegistry registry;
    private final Readiness readiness;

    Endpoints(PrometheusMeterRegistry registry, Readiness readiness) {
      this.registry = registry;
      this.readiness = readiness;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
      String path = Request.getPathInContext(request);
      if (!path.equals("/metrics") && !path.equals("/healthz") && !path.equals("/readyz")) {
        return send(
            response, callback, 404, "text/plain", "not found: /metrics, /healthz, /readyz\n");
      }
      if (!"GET".equals(request.getMethod())) {
        response.getHeaders().put(HttpHeader.ALLOW, "GET");
        return send(response, callback, 405, "text/plain", "use GET\n");
      }
      switch (path) {
        case "/metrics" -> {
          String accept = request.getHeaders().get(HttpHeader.ACCEPT);
          String type =
              accept != null && accept.contains("application/openmetrics-text")
                  ? "application/openmetrics-text; version=1.0.0; charset=utf-8"
                  : "text/plain; version=0.0.4; charset=utf-8";
          return send(response, callback, 200, type, registry.scrape(type));
        }
        case "/healthz" -> {
          return send(response, callback, 200, "text/plain", "ok\n");
        }
        default -> {
          Map<String, String> states = readiness.states();
          boolean ready = states.values().stream().allMatch("ok"::equals);
          Map<String, Object> body = new LinkedHashMap<>();
          body.put("ready", ready);
          body.put("checks", states);
          return send(
              response,
              callback,
              ready ? 200 : 503,
              "application/json",
              JSON.writeValueAsString(body) + "\n");
        }
      }
    }

    private static boolean send(
        Response response, Callback callback, int status, String type, String body) {
      response.setStatus(status);
      response.getHeaders().put(HttpHeader.CONTENT_TYPE, type);
      response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
      response.write(
          true, java.nio.ByteBuffer.wrap(body.getBytes(StandardCharsets.UTF_8)), callback);
      return true;
    }
  }
}
