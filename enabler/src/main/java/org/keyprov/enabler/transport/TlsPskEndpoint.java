package org.keyprov.enabler.transport;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Optional;
import java.util.Vector;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.bouncycastle.tls.AlertDescription;
import org.bouncycastle.tls.BasicTlsPSKExternal;
import org.bouncycastle.tls.CipherSuite;
import org.bouncycastle.tls.PRFAlgorithm;
import org.bouncycastle.tls.PSKTlsServer;
import org.bouncycastle.tls.ProtocolVersion;
import org.bouncycastle.tls.PskIdentity;
import org.bouncycastle.tls.TlsFatalAlert;
import org.bouncycastle.tls.TlsPSKExternal;
import org.bouncycastle.tls.TlsPSKIdentityManager;
import org.bouncycastle.tls.TlsServerProtocol;
import org.bouncycastle.tls.crypto.TlsCrypto;
import org.bouncycastle.tls.crypto.impl.bc.BcTlsCrypto;
import org.keyprov.enabler.lookup.KeyResolver;
import org.keyprov.enabler.lookup.Resolution;
import org.keyprov.keys.NafKey;
import org.keyprov.keys.gba.BTid;
import org.keyprov.keys.zn.KeyManagerUnavailableException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Enabler's PSK-TLS endpoint over TCP (Bouncy Castle): TLS 1.2 with RFC 4279 PSK suites and the
 * identity hint {@code 3GPP-bootstrapping}, and TLS 1.3 with an external PSK. The key for the
 * presented identity comes from the Key Manager; a refused identity ends the handshake with {@code
 * unknown_psk_identity}. After the handshake each line received is answered with {@code
 * identity=<psk identity> echo=<line>}.
 */
public final class TlsPskEndpoint implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(TlsPskEndpoint.class);

  /**
   * TLS 1.2 PSK suites offered, strongest first; then the TLS 1.3 suites whose hash is SHA-256, the
   * hash the external PSK is bound to (RFC 8446 §4.2.11): a SHA-384 suite could be selected but
   * never completed with it.
   */
  static final int[] SUITES = {
    CipherSuite.TLS_ECDHE_PSK_WITH_AES_128_CBC_SHA256,
    CipherSuite.TLS_PSK_WITH_AES_128_GCM_SHA256,
    CipherSuite.TLS_PSK_WITH_AES_256_GCM_SHA384,
    CipherSuite.TLS_PSK_WITH_AES_128_CCM_8,
    CipherSuite.TLS_PSK_WITH_AES_128_CCM,
    CipherSuite.TLS_PSK_WITH_AES_128_CBC_SHA256,
    CipherSuite.TLS_AES_128_GCM_SHA256,
    CipherSuite.TLS_CHACHA20_POLY1305_SHA256
  };

  private static final int MAX_LINE = 4096;

  /** Bytes read from the socket at once: a whole handshake flight of a PSK client. */
  private static final int READ_BUFFER = 2048;

  private final ServerSocket server;
  private final KeyResolver resolver;
  private final TlsCrypto crypto = new BcTlsCrypto(new SecureRandom());
  private final ExecutorService connections;
  private final Thread acceptor;
  private volatile boolean closed;

  public TlsPskEndpoint(InetSocketAddress address, KeyResolver resolver, int maxConnections)
      throws IOException {
    this.server = new ServerSocket();
    server.setReuseAddress(true);
    server.bind(address, 256);
    this.resolver = resolver;
    AtomicInteger n = new AtomicInteger();
    this.connections =
        new ThreadPoolExecutor(
            0,
            maxConnections,
            30,
            TimeUnit.SECONDS,
            new SynchronousQueue<>(),
            r -> {
              Thread t = new Thread(r, "keyprov-enabler-tls-" + n.incrementAndGet());
              t.setDaemon(true);
              return t;
            },
            new ThreadPoolExecutor.AbortPolicy());
    this.acceptor = new Thread(this::acceptLoop, "keyprov-enabler-tls-accept");
    acceptor.setDaemon(true);
  }

  public void start() {
    acceptor.start();
  }

  public InetSocketAddress address() {
    return (InetSocketAddress) server.getLocalSocketAddress();
  }

  private void acceptLoop() {
    while (!closed) {
      Socket socket;
      try {
        socket = server.accept();
      } catch (IOException e) {
        if (!closed) {
          LOG.warn("TLS accept failed: {}", e.getMessage());
        }
        continue;
      }
      try {
        connections.execute(() -> serve(socket));
      } catch (java.util.concurrent.RejectedExecutionException busy) {
        LOG.warn(
            "TLS connection from {} refused: too many connections",
            socket.getRemoteSocketAddress());
        closeQuietly(socket);
      }
    }
  }

  private void serve(Socket socket) {
    try (socket) {
      socket.setSoTimeout(30_000);
      // handshake flights are several small writes: without this, Nagle and delayed ACKs add
      // ~40 ms stalls per flight (measured: 175 vs. thousands of handshakes/s)
      socket.setTcpNoDelay(true);
      // Bouncy Castle reads each record's header and body apart: buffered, a flight of records
      // that arrived together costs one read instead of two per record
      TlsServerProtocol protocol =
          new TlsServerProtocol(
              new BufferedInputStream(socket.getInputStream(), READ_BUFFER),
              socket.getOutputStream());
      EnablerTlsServer tls = new EnablerTlsServer();
      try {
        protocol.accept(tls);
      } catch (TlsFatalAlert e) {
        reportWrongKey(tls, e);
        throw e;
      }
      echo(protocol, tls.identity);
      protocol.close();
    } catch (SocketException | java.net.SocketTimeoutException e) {
      LOG.debug("TLS connection ended: {}", e.getMessage());
    } catch (IOException e) {
      LOG.info("TLS handshake with {} failed: {}", socket.getRemoteSocketAddress(), e.getMessage());
    }
  }

  /**
   * A granted identity whose client then fails the Finished (TLS 1.2: {@code bad_record_mac} or
   * {@code decrypt_error}) or the PSK binder (TLS 1.3: {@code decrypt_error}) holds another key.
   */
  private void reportWrongKey(EnablerTlsServer tls, TlsFatalAlert alert) {
    short description = alert.getAlertDescription();
    if (tls.identity != null
        && (description == AlertDescription.bad_record_mac
            || description == AlertDescription.decrypt_error)) {
      resolver.handshakeFailed(
          tls.identity,
          tls.versionName()
              + ": "
              + AlertDescription.getName(description)
              + " with the granted key");
    }
  }

  /**
   * Answers each line with the session's identity. Lines are read straight from the TLS stream into
   * one small buffer (no reader and decoder buffers per connection) and cut at {@link #MAX_LINE}
   * bytes: the rest of a longer line is skipped, so a client cannot make this buffer grow. The
   * answers to what one read brought go out in one write: Bouncy Castle makes a record of each
   * write and sends it at once.
   */
  private static void echo(TlsServerProtocol protocol, String identity) throws IOException {
    InputStream in = protocol.getInputStream();
    OutputStream out = protocol.getOutputStream();
    byte[] prefix = ("identity=" + identity + " echo=").getBytes(StandardCharsets.UTF_8);
    ByteArrayOutputStream line = new ByteArrayOutputStream(64);
    ByteArrayOutputStream answers = new ByteArrayOutputStream(128);
    byte[] chunk = new byte[512];
    int n;
    while ((n = in.read(chunk)) >= 0) {
      for (int i = 0; i < n; i++) {
        byte b = chunk[i];
        if (b == '\n') {
          answer(answers, prefix, line);
        } else if (line.size() < MAX_LINE) {
          line.write(b);
        }
      }
      if (answers.size() > 0) {
        answers.writeTo(out);
        answers.reset();
        out.flush();
      }
    }
  }

  private static void answer(
      ByteArrayOutputStream answers, byte[] prefix, ByteArrayOutputStream line) {
    int length = line.size();
    byte[] text = line.toByteArray();
    if (length > 0 && text[length - 1] == '\r') {
      length--;
    }
    answers.write(prefix, 0, prefix.length);
    answers.write(text, 0, length);
    answers.write('\n');
    line.reset();
  }

  /**
   * The key of {@code identity}, or empty if refused (the handshake then ends with {@code
   * unknown_psk_identity}). Blocks this connection's thread (never an I/O selector) for at most the
   * lookup timeout.
   *
   * @throws KeyManagerUnavailableException if the Key Manager gave no answer: Bouncy Castle ends
   *     the handshake with {@code internal_error}, which tells the client to retry later
   */
  private Optional<NafKey> resolve(String identity) {
    Resolution resolution;
    try {
      resolution =
          resolver
              .resolve(identity)
              .get(resolver.timeout().toMillis() + 500, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      resolution = null;
    } catch (ExecutionException | TimeoutException e) {
      resolution = null;
    }
    if (resolution == null || resolution.keyManagerUnavailable()) {
      throw new KeyManagerUnavailableException(
          "no answer from the Key Manager for " + identity + "; sent internal_error");
    }
    return resolution.key();
  }

  private final class EnablerTlsServer extends PSKTlsServer {
    private volatile String identity;

    EnablerTlsServer() {
      super(TlsPskEndpoint.this.crypto, null);
      this.pskIdentityManager = new Identities();
    }

    /** The negotiated version's name, or {@code TLS} before one was chosen. */
    String versionName() {
      ProtocolVersion version = context == null ? null : context.getServerVersion();
      return version == null ? "TLS" : version.getName();
    }

    @Override
    protected ProtocolVersion[] getSupportedVersions() {
      return ProtocolVersion.TLSv13.downTo(ProtocolVersion.TLSv12);
    }

    @Override
    protected int[] getSupportedCipherSuites() {
      return SUITES.clone();
    }

    @Override
    public TlsPSKExternal getExternalPSK(Vector identities) {
      for (Object o : identities) {
        byte[] raw = ((PskIdentity) o).getIdentity();
        String id = new String(raw, StandardCharsets.UTF_8);
        Optional<NafKey> key = resolve(id);
        if (key.isPresent()) {
          byte[] bytes = key.get().key();
          try {
            identity = id;
            return new BasicTlsPSKExternal(
                raw, getCrypto().createSecret(bytes), PRFAlgorithm.tls13_hkdf_sha256);
          } finally {
            Arrays.fill(bytes, (byte) 0);
          }
        }
      }
      // TLS 1.3 would answer handshake_failure for "no PSK": say which failure it is, as TLS 1.2
      throw Alerts.fatal(AlertDescription.unknown_psk_identity);
    }

    private final class Identities implements TlsPSKIdentityManager {
      @Override
      public byte[] getHint() {
        return BTid.PSK_IDENTITY_HINT.getBytes(StandardCharsets.UTF_8);
      }

      @Override
      public byte[] getPSK(byte[] raw) {
        String id = new String(raw, StandardCharsets.UTF_8);
        Optional<NafKey> key = resolve(id);
        if (key.isEmpty()) {
          return null;
        }
        identity = id;
        // Bouncy Castle keeps (and may wipe) what it gets: hand it a copy.
        return key.get().key();
      }
    }
  }

  @Override
  public void close() {
    closed = true;
    try {
      server.close();
    } catch (IOException e) {
      LOG.debug("closing TLS server socket: {}", e.getMessage());
    }
    connections.shutdownNow();
  }

  private static void closeQuietly(Socket socket) {
    try {
      socket.close();
    } catch (IOException ignored) {
      // nothing to tell anyone
    }
  }
}
