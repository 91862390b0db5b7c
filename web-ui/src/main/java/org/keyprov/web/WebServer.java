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
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
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

  private WebServer(Builder b) {
    this.jetty = new Server();
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
    List<Handler> handlers = new ArrayList<>();
    PskLookup lookup = b.meters == null ? b.lookup : new MeteredLookup(b.lookup, b.meters);
    handlers.add(new ZnHandler(lookup, b.credentials, b.audit, b.invalidations));
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
    jetty.start();
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

    private Builder() {}

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
