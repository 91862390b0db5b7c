package org.keyprov.app;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.keyprov.app.transport.SelfSignedCertificate;
import org.keyprov.keys.MasterKey;

/**
 * The Key Manager's HTTPS identity: {@code https.p12} in the data directory (mode 0600, password
 * derived from the master key), created on first start with a self-signed ECDSA P-256 certificate
 * for localhost, 127.0.0.1, this host's name and any extra host names; the certificate alone is
 * written to {@code https-cert.pem} for Enablers to pin.
 */
final class HttpsIdentity {
  static final String KEY_STORE = "https.p12";
  static final String CERT_PEM = "https-cert.pem";

  final KeyStore keyStore;
  final char[] password;
  final X509Certificate certificate;
  final Path certificateFile;

  private HttpsIdentity(KeyStore keyStore, char[] password, X509Certificate certificate, Path pem) {
    this.keyStore = keyStore;
    this.password = password;
    this.certificate = certificate;
    this.certificateFile = pem;
  }

  static HttpsIdentity loadOrCreate(Path dataDir, MasterKey masterKey, List<String> extraHosts)
      throws IOException, GeneralSecurityException {
    char[] password = password(masterKey);
    Path store = dataDir.resolve(KEY_STORE);
    Path pem = dataDir.resolve(CERT_PEM);
    KeyStore ks = KeyStore.getInstance("PKCS12");
    if (Files.exists(store)) {
      try (InputStream in = Files.newInputStream(store)) {
        ks.load(in, password);
      } catch (IOException e) {
        throw new UsageException(
            store + " cannot be opened with this master key; delete it to get a new certificate");
      }
      return new HttpsIdentity(ks, password, (X509Certificate) ks.getCertificate("https"), pem);
    }
    KeyPairGenerator kpg = KeyPairGenerator.getInstance("EC");
    kpg.initialize(new ECGenParameterSpec("secp256r1"));
    KeyPair pair = kpg.generateKeyPair();
    X509Certificate cert = SelfSignedCertificate.create(pair, hosts(extraHosts));
    ks.load(null, null);
    ks.setKeyEntry("https", pair.getPrivate(), password, new X509Certificate[] {cert});
    Files.deleteIfExists(store);
    Files.createFile(
        store, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    try (OutputStream out = Files.newOutputStream(store)) {
      ks.store(out, password);
    }
    Files.writeString(pem, toPem(cert));
    return new HttpsIdentity(ks, password, cert, pem);
  }

  static X509Certificate readPem(Path file) throws IOException {
    try {
      byte[] bytes = Files.readAllBytes(file);
      return (X509Certificate)
          CertificateFactory.getInstance("X.509")
              .generateCertificate(new ByteArrayInputStream(bytes));
    } catch (java.nio.file.NoSuchFileException e) {
      throw new UsageException("certificate file " + file + " does not exist");
    } catch (GeneralSecurityException e) {
      throw new UsageException(file + " is not a PEM or DER X.509 certificate");
    }
  }

  private static Set<String> hosts(List<String> extra) {
    Set<String> hosts = new LinkedHashSet<>(List.of("localhost", "127.0.0.1", "::1"));
    try {
      hosts.add(InetAddress.getLocalHost().getHostName());
    } catch (IOException unknown) {
      // no host name: localhost and the extra names still work
    }
    hosts.addAll(extra);
    return hosts;
  }

  private static String toPem(X509Certificate cert) throws GeneralSecurityException {
    String b64 =
        Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
            .encodeToString(cert.getEncoded());
    return "-----BEGIN CERTIFICATE-----\n" + b64 + "\n-----END CERTIFICATE-----\n";
  }

  private static char[] password(MasterKey masterKey) {
    byte[] key = masterKey.derive("keyprov https.p12");
    char[] hex = HexFormat.of().formatHex(key).toCharArray();
    java.util.Arrays.fill(key, (byte) 0);
    return hex;
  }
}
