package org.keyprov.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.List;
import java.util.Map;
import java.util.Vector;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.bouncycastle.tls.BasicTlsPSKExternal;
import org.bouncycastle.tls.CipherSuite;
import org.bouncycastle.tls.PRFAlgorithm;
import org.bouncycastle.tls.PSKTlsServer;
import org.bouncycastle.tls.ProtocolVersion;
import org.bouncycastle.tls.PskIdentity;
import org.bouncycastle.tls.TlsPSKExternal;
import org.bouncycastle.tls.TlsPSKIdentityManager;
import org.bouncycastle.tls.TlsServerProtocol;
import org.bouncycastle.tls.crypto.TlsCrypto;
import org.bouncycastle.tls.crypto.impl.bc.BcTlsCrypto;

/**
 * The baseline for the Enabler's PSK-TLS: Bouncy Castle as its examples use it, a thread per
 * connection, a static identity table, the Enabler's first two TLS 1.2 suites so both negotiate the
 * same one, and the Enabler's service: each line answered until the client closes (answering one
 * line and closing first would leave the client's close, and the kernel's reset of it, to the
 * client's side; measured as ~55 µs of server CPU per handshake). No Key Manager, cache, listener
 * or audit.
 */
final class BareTlsServer implements AutoCloseable {
  private static final int[] SUITES = {
    CipherSuite.TLS_ECDHE_PSK_WITH_AES_128_CBC_SHA256,
    CipherSuite.TLS_PSK_WITH_AES_128_GCM_SHA256,
    CipherSuite.TLS_AES_128_GCM_SHA256
  };

  private final ServerSocket server;
  private final Map<String, byte[]> keys = new ConcurrentHashMap<>();
  private final TlsCrypto crypto = new BcTlsCrypto(new SecureRandom());
  private final ExecutorService threads = Executors.newCachedThreadPool();

  BareTlsServer(List<BenchStore.Credential> credentials) throws IOException {
    credentials.forEach(c -> keys.put(c.identity(), c.key().clone()));
    server = new ServerSocket();
    server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 256);
    Thread acceptor = new Thread(this::accept, "bare-tls-accept");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  int port() {
    return server.getLocalPort();
  }

  private void accept() {
    while (!server.isClosed()) {
      try {
        Socket s = server.accept();
        threads.execute(() -> serve(s));
      } catch (IOException e) {
        return;
      }
    }
  }

  private void serve(Socket socket) {
    try (socket) {
      socket.setTcpNoDelay(true);
      TlsServerProtocol protocol =
          new TlsServerProtocol(socket.getInputStream(), socket.getOutputStream());
      String[] identity = new String[1];
      protocol.accept(
          new PSKTlsServer(
              crypto,
              new TlsPSKIdentityManager() {
                @Override
                public byte[] getHint() {
                  return null;
                }

                @Override
                public byte[] getPSK(byte[] id) {
                  identity[0] = new String(id, StandardCharsets.UTF_8);
                  byte[] key = keys.get(identity[0]);
                  return key == null ? null : key.clone();
                }
              }) {
            @Override
            protected int[] getSupportedCipherSuites() {
              return SUITES.clone();
            }

            @Override
            protected ProtocolVersion[] getSupportedVersions() {
              return ProtocolVersion.TLSv13.downTo(ProtocolVersion.TLSv12);
            }

            @Override
            public TlsPSKExternal getExternalPSK(Vector identities) {
              for (Object o : identities) {
                byte[] raw = ((PskIdentity) o).getIdentity();
                byte[] key = keys.get(new String(raw, StandardCharsets.UTF_8));
                if (key != null) {
                  identity[0] = new String(raw, StandardCharsets.UTF_8);
                  return new BasicTlsPSKExternal(
                      raw, getCrypto().createSecret(key.clone()), PRFAlgorithm.tls13_hkdf_sha256);
                }
              }
              return null;
            }
          });
      BufferedReader reader =
          new BufferedReader(
              new InputStreamReader(protocol.getInputStream(), StandardCharsets.UTF_8));
      OutputStream out = protocol.getOutputStream();
      String line;
      while ((line = reader.readLine()) != null) {
        out.write(
            ("identity=" + identity[0] + " echo=" + line + "\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
      }
      protocol.close();
    } catch (IOException e) {
      // the client went away: nothing to do in a baseline
    }
  }

  @Override
  public void close() throws IOException {
    server.close();
    threads.shutdownNow();
  }
}
