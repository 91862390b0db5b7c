package org.keyprov.keys.zn;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Objects;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.keyprov.keys.InvalidationFeed;
import org.keyprov.keys.LookupResult;
import org.keyprov.keys.PskLookup;
import org.keyprov.keys.gba.NafId;

/**
 * The Enabler's side of the Zn-like lookup: HTTPS + JSON to the Key Manager, trusting only the Key
 * Manager's pinned certificate, authenticated with this Enabler's credential. Thread-safe. Failures
 * (unreachable, timeout, 401, 5xx) throw {@link KeyManagerUnavailableException}; they are never
 * turned into refusals, so an outage is never mistaken for an unknown device.
 */
public final class RemotePskLookup implements PskLookup {
  private final URI endpoint;
  private final String credential;
  private final Duration timeout;
  private final HttpClient http;

  private RemotePskLookup(Builder b) {
    this.endpoint = b.keyManager.resolve(ZnWire.PATH);
    this.credential = b.credential;
    this.timeout = b.timeout;
    this.http =
        HttpClient.newBuilder()
            .sslContext(pinned(b.certificate))
            .connectTimeout(b.timeout)
            .version(HttpClient.Version.HTTP_1_1)
            .build();
  }

  public static Builder builder() {
    return new Builder();
  }

  @Override
  public LookupResult lookup(String pskIdentity, NafId nafId) {
    HttpRequest request =
        HttpRequest.newBuilder(endpoint)
            .timeout(timeout)
            .header("Content-Type", "application/json")
            .header("Authorization", "Bearer " + credential)
            .POST(HttpRequest.BodyPublishers.ofString(ZnWire.request(pskIdentity, nafId)))
            .build();
    HttpResponse<byte[]> response;
    try {
      response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
    } catch (HttpTimeoutException e) {
      throw new KeyManagerUnavailableException(
          "the Key Manager at " + endpoint + " did not answer within " + timeout.toMillis() + " ms",
          e);
    } catch (IOException e) {
      throw new KeyManagerUnavailableException(
          "cannot reach the Key Manager at " + endpoint + ": " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new KeyManagerUnavailableException("interrupted while asking the Key Manager", e);
    }
    int status = response.statusCode();
    if (status == 401) {
      throw new KeyManagerUnavailableException(
          "the Key Manager refused this Enabler's credential (401): "
              + ZnWire.errorMessage(response.body()));
    }
    try {
      return ZnWire.result(status, response.body())
          .orElseThrow(
              () ->
                  new KeyManagerUnavailableException(
                      "the Key Manager answered HTTP "
                          + status
                          + ": "
                          + ZnWire.errorMessage(response.body())));
    } catch (IllegalArgumentException e) {
      throw new KeyManagerUnavailableException(
          "the Key Manager answered HTTP " + status + " with an unreadable body", e);
    }
  }

  /**
   * Posts the report to {@link ZnWire#HANDSHAKE_FAILURES_PATH}; blocks for at most the timeout.
   *
   * @throws KeyManagerUnavailableException if the Key Manager did not take it
   */
  @Override
  public void handshakeFailed(String pskIdentity, NafId nafId, String reason) {
    URI reports = endpoint.resolve(ZnWire.HANDSHAKE_FAILURES_PATH);
    HttpRequest request =
        HttpRequest.newBuilder(reports)
            .timeout(timeout)
            .header("Content-Type", "application/json")
            .header("Authorization", "Bearer " + credential)
            .POST(
                HttpRequest.BodyPublishers.ofString(
                    ZnWire.handshakeFailure(pskIdentity, nafId, reason)))
            .build();
    int status;
    try {
      status = http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
    } catch (IOException e) {
      throw new KeyManagerUnavailableException(
          "cannot report a failed handshake to the Key Manager at " + reports + ": " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new KeyManagerUnavailableException("interrupted while reporting a handshake", e);
    }
    if (status != 204) {
      throw new KeyManagerUnavailableException(
          "the Key Manager answered HTTP " + status + " to a failed-handshake report");
    }
  }

  /**
   * The Key Manager's invalidation feed for this Enabler, over the same pinned, authenticated
   * connection: a long poll of {@link ZnWire#INVALIDATIONS_PATH}.
   */
  public InvalidationFeed invalidations() {
    URI feed = endpoint.resolve(ZnWire.INVALIDATIONS_PATH);
    return (after, nafFqdn, wait) -> {
      HttpRequest request =
          HttpRequest.newBuilder(
                  URI.create(feed + "?after=" + after + "&wait=" + waitSeconds(wait)))
              .timeout(wait.plus(timeout).plusSeconds(5))
              .header("Authorization", "Bearer " + credential)
              .GET()
              .build();
      HttpResponse<byte[]> response;
      try {
        response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
      } catch (javax.net.ssl.SSLHandshakeException e) {
        throw new KeyManagerUnavailableException(
            "the server at "
                + feed.resolve("/")
                + " does not present the pinned Key Manager certificate (is --key-manager-cert"
                + " that server's https-cert.pem?)",
            e);
      } catch (IOException e) {
        throw new KeyManagerUnavailableException(
            "cannot reach the Key Manager at " + feed.resolve("/") + ": " + e, e);
      }
      if (response.statusCode() == 401) {
        throw new KeyManagerUnavailableException(
            "the Key Manager refused this Enabler's credential (401): "
                + ZnWire.errorMessage(response.body()));
      }
      if (response.statusCode() != 200) {
        throw new KeyManagerUnavailableException(
            "the Key Manager's invalidation feed answered HTTP "
                + response.statusCode()
                + ": "
                + ZnWire.errorMessage(response.body()));
      }
      try {
        return ZnWire.parseInvalidations(response.body());
      } catch (IllegalArgumentException e) {
        throw new KeyManagerUnavailableException(
            "the Key Manager's invalidation feed answered an unreadable body", e);
      }
    };
  }

  /** The wire's wait, in whole seconds: any positive wait is at least one, never a busy loop. */
  private static long waitSeconds(Duration wait) {
    return wait.isZero() || wait.isNegative() ? 0 : Math.max(1, (wait.toMillis() + 999) / 1000);
  }

  /**
   * Asks the Key Manager one cheap authenticated question: proves its URL, its pinned certificate
   * and this Enabler's credential, and keeps a pooled connection warm for the next lookup.
   *
   * @throws KeyManagerUnavailableException saying which of the three is wrong
   */
  public void check() throws InterruptedException {
    invalidations().next(InvalidationFeed.NOW, "", Duration.ZERO);
  }

  private static SSLContext pinned(X509Certificate certificate) {
    try {
      KeyStore trust = KeyStore.getInstance("PKCS12");
      trust.load(null, null);
      trust.setCertificateEntry("key-manager", certificate);
      TrustManagerFactory tmf =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(trust);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, tmf.getTrustManagers(), null);
      return context;
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalStateException("cannot build a TLS context pinned to the Key Manager", e);
    }
  }

  public static final class Builder {
    private URI keyManager;
    private X509Certificate certificate;
    private String credential;
    private Duration timeout = Duration.ofSeconds(2);

    private Builder() {}

    /** Required: the Key Manager's base URL, {@code https://host:port}. */
    public Builder keyManager(URI uri) {
      this.keyManager = uri;
      return this;
    }

    /** Required: the Key Manager's certificate; the only one trusted. */
    public Builder certificate(X509Certificate certificate) {
      this.certificate = certificate;
      return this;
    }

    /** Required: this Enabler's credential ({@code kpe_…}). */
    public Builder credential(String credential) {
      this.credential = credential;
      return this;
    }

    /** Connect and answer timeout. Default: 2 s. */
    public Builder timeout(Duration timeout) {
      this.timeout = timeout;
      return this;
    }

    public RemotePskLookup build() {
      Objects.requireNonNull(keyManager, "keyManager");
      Objects.requireNonNull(certificate, "certificate");
      Objects.requireNonNull(credential, "credential");
      if (!"https".equalsIgnoreCase(keyManager.getScheme())) {
        throw new IllegalArgumentException(
            "the Key Manager URL must be https://host:port, got " + keyManager);
      }
      return new RemotePskLookup(this);
    }
  }
}
