package org.keyprov.app;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.keyprov.web.api.ServerInfo;

/**
 * What the console's Server page shows of this {@code keyprov server}: its endpoints as they are
 * bound (added as each starts), the HTTPS certificate, version, node, database and start time.
 */
final class ServerPage {
  private final String version = new Version().getVersion()[0];
  private final Map<String, String> endpoints = new ConcurrentHashMap<>();
  private final java.util.List<String> order = new java.util.concurrent.CopyOnWriteArrayList<>();
  private final String pem;
  private final String sha256;
  private final String node;
  private final String database;
  private final Instant startedAt = Instant.now();

  ServerPage(X509Certificate certificate, String node, String database) {
    try {
      byte[] der = certificate.getEncoded();
      this.pem =
          "-----BEGIN CERTIFICATE-----\n"
              + Base64.getMimeEncoder(64, "\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII))
                  .encodeToString(der)
              + "\n-----END CERTIFICATE-----\n";
      this.sha256 =
          HexFormat.ofDelimiter(":")
              .withUpperCase()
              .formatHex(MessageDigest.getInstance("SHA-256").digest(der));
    } catch (CertificateEncodingException | NoSuchAlgorithmException e) {
      throw new IllegalStateException("cannot read the HTTPS certificate", e);
    }
    this.node = node;
    this.database = database;
  }

  /** An endpoint now bound, e.g. ("DM server (CoAPs)", "coaps://127.0.0.1:5684"). */
  ServerPage endpoint(String name, Object uri) {
    if (endpoints.put(name, String.valueOf(uri)) == null) {
      order.add(name);
    }
    return this;
  }

  ServerInfo info() {
    Map<String, String> ordered = new java.util.LinkedHashMap<>();
    order.forEach(n -> ordered.put(n, endpoints.get(n)));
    return new ServerInfo(version, ordered, pem, sha256, node, database, startedAt);
  }
}
