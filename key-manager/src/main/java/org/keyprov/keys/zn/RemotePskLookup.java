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
