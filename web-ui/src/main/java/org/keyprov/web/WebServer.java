package org.keyprov.web;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.jetty.JettyConnectionMetrics;
import io.micrometer.core.instrument.binder.jetty.JettyServerThreadPoolMetrics;
import io.micrometer.jetty12.server.TimedHandler;
import java.net.InetSocketAddress;
import java.net.URI;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.keyprov.keys.AuditLog;
import org.keyprov.keys.EnablerCredentials;
import org.keyprov.keys.InvalidationFeed;
import org.keyprov.keys.PskLookup;
import org.keyprov.web.zn.ZnHandler;

/**
 * The Key Manager's HTTPS server (Jetty 12): the Zn-like lookup API for Enablers. TLS only; the
 * certificate comes from the caller.
 */
public final class WebServer implements AutoCloseable {
  private final Server jetty;
  private final ServerConnector connector;

  /** The Enablers' own connector, with its own threads; null unless asked for. */
  private final ServerConnector lookupConnector;

  /** The local admin commands' Unix socket; null unless asked for. */
  private final org.eclipse.jetty.unixdomain.server.UnixDomainServerConnector adminConnector;

  private WebServer(Builder b) {
    org.eclipse.jetty.util.thread.QueuedThreadPool threads =
        new org.eclipse.jetty.util.thread.QueuedThreadPool(b.httpThreads);
    threads.setName("keyprov-https");
    this.jetty = new Server(threads);
    SslContextFactory.Server tls = new SslContextFactory.Server();
    tls.setKeyStore(b.keyStore);
    tls.setKeyStorePassword(new String(b.keyStorePassword));
    tls.setIncludeProtocols("TLSv1.3", "TLSv1.2");
    HttpConfiguration http = new HttpConfiguration();
    http.setSendServerVersion(false);
    // Enablers reach us by IP as often as by name; the pinned certificate is what they check.
    http.addCustomizer(new SecureRequestCustomizer(false));
    this.connector =
        new ServerConnector(
            jetty, new SslConnectionFactory(tls, "http/1.1"), new HttpConnectionFactory(http));
    connector.setHost(b.address.getHostString());
    connector.setPort(b.address.getPort());
    jetty.addConnector(connector);
    if (b.lookupAddress != null) {
      // its own executor: operator traffic filling the HTTPS threads never delays a lookup
      org.eclipse.jetty.util.thread.QueuedThreadPool lookupThreads =
          new org.eclipse.jetty.util.thread.QueuedThreadPool(b.lookupThreads);
      lookupThreads.setName("keyprov-lookup");
      this.lookupConnector =
          new ServerConnector(
              jetty,
              lookupThreads,
              null,
              null,
              -1,
              -1,
              new SslConnectionFactory(tls, "http/1.1"),
              new HttpConnectionFactory(http));
      lookupConnector.setHost(b.lookupAddress.getHostString());
      lookupConnector.setPort(b.lookupAddress.getPort());
      jetty.addConnector(lookupConnector);
    } else {
      this.lookupConnector = null;
    }
    if (b.adminSocket != null) {
      HttpConfiguration local = new HttpConfiguration();
      local.setSendServerVersion(false);
      this.adminConnector =
          new org.eclipse.jetty.unixdomain.server.UnixDomainServerConnector(
              jetty, new HttpConnectionFactory(local));
      adminConnector.setUnixDomainPath(b.adminSocket);
      jetty.addConnector(adminConnector);
    } else {
      this.adminConnector = null;
    }
    List<Handler> handlers = new ArrayList<>();
    // first: the admin socket serves the admin command line only, never the lookup API
    handlers.add(
        new ConnectorOnly(
            adminConnector,
            r ->
                r.getMethod().equals("POST")
                    && Request.getPathInContext(r).equals("/api/v1/admin/cli"),
            "this socket serves keyprov admin command lines only"));
    PskLookup lookup = b.meters == null ? b.lookup : new MeteredLookup(b.lookup, b.meters);
    handlers.add(new ZnHandler(lookup, b.credentials, b.audit, b.invalidations));
    // the Enablers' port serves the lookup API only (the ZnHandler before this answered it)
    handlers.add(
        new ConnectorOnly(
            lookupConnector, r -> false, "this port serves the Enabler lookup API only"));
    handlers.addAll(b.handlers);
    Handler sequence = new Handler.Sequence(handlers);
    if (b.meters == null) {
      jetty.setHandler(sequence);
    } else {
      TimedHandler timed = new TimedHandler(b.meters, Tags.empty());
      timed.setHandler(sequence);
      jetty.setHandler(timed);
      JettyConnectionMetrics.addToAllConnectors(jetty, b.meters);
      new JettyServerThreadPoolMetrics(jetty.getThreadPool(), Tags.empty()).bindTo(b.meters);
    }
  }

  public static Builder builder() {
    return new Builder();
  }

  public void start() throws Exception {
    if (adminConnector != null) {
      // a socket left by a server that died: this one holds the data directory now
      java.nio.file.Files.deleteIfExists(adminConnector.getUnixDomainPath());
    }
    jetty.start();
    if (adminConnector != null) {
      java.nio.file.Files.setPosixFilePermissions(
          adminConnector.getUnixDomainPath(),
          java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
    }
  }

  /** The local admin commands' Unix socket, if the server has one. */
  public java.util.Optional<java.nio.file.Path> adminSocket() {
    return java.util.Optional.ofNullable(adminConnector)
        .map(org.eclipse.jetty.unixdomain.server.UnixDomainServerConnector::getUnixDomainPath);
  }

  /** Whether the server has started and not stopped. */
  public boolean running() {
    return jetty.isStarted();
  }

  /** {@code https://host:port} with the actual port once started. */
  public URI uri() {
    String host =
        connector.getHost() == null || connector.getHost().equals("0.0.0.0")
            ? "127.0.0.1"
            : connector.getHost();
    return URI.create("https://" + host + ":" + connector.getLocalPort());
  }

  /**
   * {@code https://host:port} of the Enablers' own connector once started, or empty if there is
   * none (the lookup API is then on {@link #uri} only).
   */
  public java.util.Optional<URI> lookupUri() {
    if (lookupConnector == null) {
      return java.util.Optional.empty();
    }
    String host =
        lookupConnector.getHost() == null || lookupConnector.getHost().equals("0.0.0.0")
            ? "127.0.0.1"
            : lookupConnector.getHost();
    return java.util.Optional.of(
        URI.create("https://" + host + ":" + lookupConnector.getLocalPort()));
  }

  /**
   * Answers 404 to what arrives on {@code connector} unless {@code serves} accepts it: the
   * Enablers' port serves the lookup API only, the admin socket the admin command line only.
   */
  private static final class ConnectorOnly extends Handler.Abstract {
    private final Connector connector;
    private final java.util.function.Predicate<Request> serves;
    private final String refusal;

    ConnectorOnly(
        Connector connector, java.util.function.Predicate<Request> serves, String refusal) {
      this.connector = connector;
      this.serves = serves;
      this.refusal = refusal;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
      if (connector == null
          || request.getConnectionMetaData().getConnector() != connector
          || serves.test(request)) {
        return false;
      }
      org.eclipse.jetty.server.Response.writeError(request, response, callback, 404, refusal);
      return true;
    }
  }

  @Override
  public void close() throws Exception {
    jetty.stop();
  }

  public static final class Builder {
    private PskLookup lookup;
    private EnablerCredentials credentials;
    private AuditLog audit;
    private InvalidationFeed invalidations;
    private InetSocketAddress address = new InetSocketAddress(8443);
    private KeyStore keyStore;
    private char[] keyStorePassword;
    private final List<Handler> handlers = new ArrayList<>();
    private MeterRegistry meters;
    private InetSocketAddress lookupAddress;
    private int lookupThreads = 32;
    private int httpThreads = 200;
    private java.nio.file.Path adminSocket;

    private Builder() {}

    /**
     * Also listens on the Unix socket {@code path} (plain HTTP, owner-only permissions) for the
     * admin command lines of this host ({@code POST /api/v1/admin/cli}, nothing else): no TLS to
     * set up makes a command against a running server quick. Default: none.
     */
    public Builder adminSocket(java.nio.file.Path path) {
      this.adminSocket = Objects.requireNonNull(path, "path");
      return this;
    }

    /**
     * Also serves the Enabler lookup API (and only it) at {@code address}, on a connector with
     * {@code threads} threads of its own, so that operator traffic can never starve handshakes.
     * Default: none (the lookup API shares the HTTPS port and its threads).
     */
    public Builder lookupConnector(InetSocketAddress address, int threads) {
      this.lookupAddress = Objects.requireNonNull(address, "address");
      if (threads < 4) {
        throw new IllegalArgumentException("the lookup connector needs at least 4 threads");
      }
      this.lookupThreads = threads;
      return this;
    }

    /** The most threads of the HTTPS port (operator UI, API, lookups there). Default: 200. */
    public Builder httpThreads(int threads) {
      if (threads < 4) {
        throw new IllegalArgumentException("the HTTPS server needs at least 4 threads");
      }
      this.httpThreads = threads;
      return this;
    }

    public Builder lookup(PskLookup lookup) {
      this.lookup = lookup;
      return this;
    }

    public Builder credentials(EnablerCredentials credentials) {
      this.credentials = credentials;
      return this;
    }

    /** Required: what Enablers follow to drop invalidated keys at once. */
    public Builder invalidations(InvalidationFeed invalidations) {
      this.invalidations = invalidations;
      return this;
    }

    public Builder audit(AuditLog audit) {
      this.audit = audit;
      return this;
    }

    /** Default: all interfaces, port 8443. */
    public Builder address(InetSocketAddress address) {
      this.address = address;
      return this;
    }

    /** Required: a key store holding the server's key and certificate. */
    public Builder tls(KeyStore keyStore, char[] password) {
      this.keyStore = keyStore;
      this.keyStorePassword = password.clone();
      return this;
    }

    /**
     * Where the server's meters go: the Enablers' lookups by result with their latency ({@code
     * keyprov.lookups}), and Jetty's requests, connections and threads. Default: nowhere.
     */
    public Builder meters(MeterRegistry registry) {
      this.meters = Objects.requireNonNull(registry, "registry");
      return this;
    }

    /** More handlers, tried after the lookup API. */
    public Builder handler(Handler handler) {
      this.handlers.add(handler);
      return this;
    }

    public WebServer build() {
      Objects.requireNonNull(lookup, "lookup");
      Objects.requireNonNull(credentials, "credentials");
      Objects.requireNonNull(audit, "audit");
      Objects.requireNonNull(invalidations, "invalidations");
      Objects.requireNonNull(keyStore, "keyStore");
      return new WebServer(this);
    }
  }
}
