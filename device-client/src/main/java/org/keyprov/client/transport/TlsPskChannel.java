package org.keyprov.client.transport;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Vector;
import org.bouncycastle.tls.AlertDescription;
import org.bouncycastle.tls.BasicTlsPSKExternal;
import org.bouncycastle.tls.CipherSuite;
import org.bouncycastle.tls.PRFAlgorithm;
import org.bouncycastle.tls.PSKTlsClient;
import org.bouncycastle.tls.ProtocolVersion;
import org.bouncycastle.tls.ServerOnlyTlsAuthentication;
import org.bouncycastle.tls.TlsAuthentication;
import org.bouncycastle.tls.TlsClientProtocol;
import org.bouncycastle.tls.TlsFatalAlert;
import org.bouncycastle.tls.TlsServerCertificate;
import org.bouncycastle.tls.crypto.TlsCrypto;
import org.bouncycastle.tls.crypto.impl.bc.BcTlsCrypto;

/**
 * One line over a fresh PSK-TLS connection (Bouncy Castle): the device side of the Enabler
 * handshake over TCP. TLS 1.2 with RFC 4279 PSK suites, or TLS 1.3 with an external PSK when the
 * key was minted for the TLS 1.3 Ua id ({@code 01 00 00 00 07}).
 */
public final class TlsPskChannel {
  private static final TlsCrypto CRYPTO = new BcTlsCrypto(new SecureRandom());

  private TlsPskChannel() {}

  public static DtlsPskChannel.Answer exchange(
      URI target, String identity, byte[] key, boolean tls13, Duration timeout, String line) {
    byte[] id = identity.getBytes(StandardCharsets.UTF_8);
    try (Socket socket = new Socket()) {
      socket.connect(
          new InetSocketAddress(target.getHost(), target.getPort()), (int) timeout.toMillis());
      socket.setSoTimeout((int) timeout.toMillis());
      socket.setTcpNoDelay(true);
      TlsClientProtocol protocol =
          new TlsClientProtocol(socket.getInputStream(), socket.getOutputStream());
      protocol.connect(
          tls13 ? new Tls13Client(id, key) : new PSKTlsClient(CRYPTO, id, key.clone()));
      protocol.getOutputStream().write((line + "\n").getBytes(StandardCharsets.UTF_8));
      protocol.getOutputStream().flush();
      BufferedReader in =
          new BufferedReader(
              new InputStreamReader(protocol.getInputStream(), StandardCharsets.UTF_8));
      String answer = in.readLine();
      protocol.close();
      if (answer == null) {
        return new DtlsPskChannel.Answer(
            false, target + " closed the connection without answering");
      }
      return new DtlsPskChannel.Answer(true, answer);
    } catch (TlsFatalAlert e) {
      return new DtlsPskChannel.Answer(
          false,
          "TLS handshake with "
              + target
              + " failed: "
              + AlertDescription.getText(e.getAlertDescription()));
    } catch (IOException e) {
      return new DtlsPskChannel.Answer(false, "TLS with " + target + " failed: " + e.getMessage());
    }
  }

  /** TLS 1.3 with one external PSK, no certificates. */
  private static final class Tls13Client extends PSKTlsClient {
    private final byte[] identity;
    private final byte[] key;

    Tls13Client(byte[] identity, byte[] key) {
      super(CRYPTO, identity, key.clone());
      this.identity = identity.clone();
      this.key = key.clone();
    }

    @Override
    protected ProtocolVersion[] getSupportedVersions() {
      return ProtocolVersion.TLSv13.only();
    }

    @Override
    protected int[] getSupportedCipherSuites() {
      return new int[] {CipherSuite.TLS_AES_128_GCM_SHA256, CipherSuite.TLS_AES_256_GCM_SHA384};
    }

    @Override
    public Vector getExternalPSKs() {
      Vector<Object> psks = new Vector<>();
      psks.add(
          new BasicTlsPSKExternal(
              identity, getCrypto().createSecret(key.clone()), PRFAlgorithm.tls13_hkdf_sha256));
      return psks;
    }

    @Override
    public TlsAuthentication getAuthentication() {
      return new ServerOnlyTlsAuthentication() {
        @Override
        public void notifyServerCertificate(TlsServerCertificate serverCertificate)
            throws IOException {
          throw new TlsFatalAlert(AlertDescription.bad_certificate);
        }
      };
    }
  }
}
