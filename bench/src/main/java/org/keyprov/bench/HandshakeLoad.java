package org.keyprov.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.List;
import java.util.Vector;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import javax.crypto.SecretKey;
import org.bouncycastle.tls.AbstractTlsClient;
import org.bouncycastle.tls.AlertDescription;
import org.bouncycastle.tls.BasicTlsPSKExternal;
import org.bouncycastle.tls.PRFAlgorithm;
import org.bouncycastle.tls.PSKTlsClient;
import org.bouncycastle.tls.ProtocolVersion;
import org.bouncycastle.tls.TlsAuthentication;
import org.bouncycastle.tls.TlsClientProtocol;
import org.bouncycastle.tls.TlsFatalAlert;
import org.bouncycastle.tls.TlsPSKExternal;
import org.bouncycastle.tls.crypto.TlsCrypto;
import org.bouncycastle.tls.crypto.impl.bc.BcTlsCrypto;
import org.eclipse.californium.core.config.CoapConfig;
import org.eclipse.californium.core.network.CoapEndpoint;
import org.eclipse.californium.elements.config.Configuration;
import org.eclipse.californium.elements.config.UdpConfig;
import org.eclipse.californium.scandium.DTLSConnector;
import org.eclipse.californium.scandium.config.DtlsConfig;
import org.eclipse.californium.scandium.config.DtlsConnectorConfig;
import org.eclipse.californium.scandium.dtls.ConnectionId;
import org.eclipse.californium.scandium.dtls.HandshakeResultHandler;
import org.eclipse.californium.scandium.dtls.PskPublicInformation;
import org.eclipse.californium.scandium.dtls.PskSecretResult;
import org.eclipse.californium.scandium.dtls.cipher.CipherSuite;
import org.eclipse.californium.scandium.dtls.pskstore.AdvancedPskStore;
import org.eclipse.californium.scandium.util.SecretUtil;
import org.eclipse.californium.scandium.util.ServerNames;

/**
 * The load generator: {@code clients} threads doing full handshakes back to back for {@code
 * seconds}, each with a random identity of the sample; DTLS threads send one CoAP GET per
 * handshake, TLS threads one echo line.
 */
final class HandshakeLoad {
  private static final org.slf4j.Logger LOG =
      org.slf4j.LoggerFactory.getLogger(HandshakeLoad.class);

  static {
    CoapConfig.register();
    UdpConfig.register();
    DtlsConfig.register();
  }

  /** {@code bySecond[i]}: handshakes completed in second {@code i} of the run. */
  record Result(long handshakes, long errors, double seconds, long[] bySecond) {
    double perSecond() {
      return handshakes / seconds;
    }
  }

  private HandshakeLoad() {}

  static Result run(
      String proto, int port, List<BenchStore.Credential> creds, int clients, int seconds)
      throws InterruptedException {
    AtomicLong ok = new AtomicLong();
    AtomicLong errors = new AtomicLong();
    java.util.concurrent.atomic.AtomicLongArray bySecond =
        new java.util.concurrent.atomic.AtomicLongArray(seconds + 1);
    CountDownLatch done = new CountDownLatch(clients);
    long start = System.nanoTime();
    long deadline = start + seconds * 1_000_000_000L;
    for (int t = 0; t < clients; t++) {
      Thread thread =
          new Thread(
              () -> {
                try {
                  Counter counter = new Counter(ok, bySecond, start);
                  if (proto.equals("dtls")) {
                    dtls(port, creds, deadline, counter, errors);
                  } else {
                    tls(port, creds, deadline, counter, errors, proto.equals("tls13"));
                  }
                } finally {
                  done.countDown();
                }
              });
      thread.setDaemon(true);
      thread.start();
    }
    done.await();
    long[] perSecond = new long[seconds];
    for (int i = 0; i < seconds; i++) {
      perSecond[i] = bySecond.get(i);
    }
    return new Result(ok.get(), errors.get(), (System.nanoTime() - start) / 1e9, perSecond);
  }

  /** Counts a completed handshake, in total and in the second of the run it completed in. */
  private record Counter(
      AtomicLong total, java.util.concurrent.atomic.AtomicLongArray bySecond, long start) {
    void incrementAndGet() {
      total.incrementAndGet();
      int second = (int) ((System.nanoTime() - start) / 1_000_000_000L);
      bySecond.incrementAndGet(Math.min(second, bySecond.length() - 1));
    }
  }

  private static BenchStore.Credential pick(List<BenchStore.Credential> creds) {
    return creds.get(ThreadLocalRandom.current().nextInt(creds.size()));
  }

  /** TLS 1.2 PSK handshakes (the server picks the suite), or TLS 1.3 external PSK ones. */
  private static void tls(
      int port,
      List<BenchStore.Credential> creds,
      long deadline,
      Counter ok,
      AtomicLong errors,
      boolean tls13) {
    BcTlsCrypto crypto = new BcTlsCrypto(new SecureRandom());
    while (System.nanoTime() < deadline) {
      BenchStore.Credential c = pick(creds);
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
        s.setSoTimeout(10_000);
        s.setTcpNoDelay(true);
        TlsClientProtocol p = new TlsClientProtocol(s.getInputStream(), s.getOutputStream());
        byte[] identity = c.identity().getBytes(StandardCharsets.UTF_8);
        p.connect(
            tls13
                ? new Tls13PskClient(crypto, identity, c.key().clone())
                : new PSKTlsClient(crypto, identity, c.key().clone()));
        p.getOutputStream().write("x\n".getBytes(StandardCharsets.US_ASCII));
        String line =
            new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))
                .readLine();
        p.close();
        if (line != null && line.startsWith("identity=")) {
          ok.incrementAndGet();
        } else {
          errors.incrementAndGet();
        }
      } catch (Exception e) {
        errors.incrementAndGet();
      }
    }
  }

  private static void dtls(
      int port, List<BenchStore.Credential> creds, long deadline, Counter ok, AtomicLong errors) {
    SwitchablePskStore store = new SwitchablePskStore();
    Configuration config = Configuration.createStandardWithoutFile();
    config.set(DtlsConfig.DTLS_ROLE, DtlsConfig.DtlsRole.CLIENT_ONLY);
    config.set(DtlsConfig.DTLS_RECOMMENDED_CIPHER_SUITES_ONLY, false);
    config.set(DtlsConfig.DTLS_CIPHER_SUITES, List.of(CipherSuite.TLS_PSK_WITH_AES_128_CCM_8));
    config.set(DtlsConfig.DTLS_MAX_RETRANSMISSIONS, 2);
    DTLSConnector connector =
        new DTLSConnector(
            DtlsConnectorConfig.builder(config)
                .setAddress(new InetSocketAddress("127.0.0.1", 0))
                .setAdvancedPskStore(store)
                .build());
    CoapEndpoint endpoint =
        new CoapEndpoint.Builder().setConfiguration(config).setConnector(connector).build();
    URI uri = URI.create("coaps://127.0.0.1:" + port + "/whoami");
    try {
      endpoint.start();
      while (System.nanoTime() < deadline) {
        store.current = pick(creds);
        connector.clearConnectionState();
        try {
          org.eclipse.californium.core.coap.Request request =
              org.eclipse.californium.core.coap.Request.newGet();
          request.setURI(uri);
          org.eclipse.californium.core.coap.Response r =
              request.send(endpoint).waitForResponse(10_000);
          if (r != null && r.isSuccess()) {
            ok.incrementAndGet();
          } else {
            if (errors.incrementAndGet() < 3) {
              LOG.warn("DTLS request failed: {}", r == null ? "no response" : r.getCode());
            }
          }
        } catch (Exception e) {
          if (errors.incrementAndGet() < 3) {
            LOG.warn("DTLS request failed: {}", e.toString());
          }
        }
      }
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    } finally {
      endpoint.destroy();
    }
  }

  /** A client PSK store whose identity the thread changes before each handshake. */
  /** A TLS 1.3 client with one external PSK (psk_dhe_ke, as openssl and gnutls offer). */
  private static final class Tls13PskClient extends AbstractTlsClient {
    private final TlsPSKExternal psk;

    Tls13PskClient(TlsCrypto crypto, byte[] identity, byte[] key) {
      super(crypto);
      psk =
          new BasicTlsPSKExternal(
              identity, crypto.createSecret(key), PRFAlgorithm.tls13_hkdf_sha256);
    }

    @Override
    protected ProtocolVersion[] getSupportedVersions() {
      return ProtocolVersion.TLSv13.only();
    }

    @Override
    protected int[] getSupportedCipherSuites() {
      return new int[] {org.bouncycastle.tls.CipherSuite.TLS_AES_128_GCM_SHA256};
    }

    @Override
    public Vector<TlsPSKExternal> getExternalPSKs() {
      Vector<TlsPSKExternal> psks = new Vector<>();
      psks.add(psk);
      return psks;
    }

    @Override
    public TlsAuthentication getAuthentication() throws IOException {
      // an external PSK handshake has no certificate to check
      throw new TlsFatalAlert(AlertDescription.unexpected_message);
    }
  }

  private static final class SwitchablePskStore implements AdvancedPskStore {
    volatile BenchStore.Credential current;

    @Override
    public boolean hasEcdhePskSupported() {
      return true;
    }

    @Override
    public PskSecretResult requestPskSecretResult(
        ConnectionId cid,
        ServerNames serverName,
        PskPublicInformation identity,
        String hmacAlgorithm,
        SecretKey otherSecret,
        byte[] seed,
        boolean useExtendedMasterSecret) {
      return new PskSecretResult(cid, identity, SecretUtil.create(current.key(), "PSK"));
    }

    @Override
    public PskPublicInformation getIdentity(
        InetSocketAddress peerAddress, ServerNames virtualHost) {
      return new PskPublicInformation(current.identity());
    }

    @Override
    public void setResultHandler(HandshakeResultHandler resultHandler) {}
  }
}
