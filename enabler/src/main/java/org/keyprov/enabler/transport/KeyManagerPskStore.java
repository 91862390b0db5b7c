package org.keyprov.enabler.transport;

import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import javax.crypto.SecretKey;
import org.eclipse.californium.scandium.dtls.AlertMessage.AlertDescription;
import org.eclipse.californium.scandium.dtls.ConnectionId;
import org.eclipse.californium.scandium.dtls.HandshakeResultHandler;
import org.eclipse.californium.scandium.dtls.PskPublicInformation;
import org.eclipse.californium.scandium.dtls.PskSecretResult;
import org.eclipse.californium.scandium.dtls.pskstore.AdvancedPskStore;
import org.eclipse.californium.scandium.util.SecretUtil;
import org.eclipse.californium.scandium.util.ServerNames;
import org.keyprov.enabler.lookup.KeyResolver;
import org.keyprov.enabler.lookup.Resolution;

/**
 * Scandium's PSK store answered by the Key Manager. Asynchronous: {@link #requestPskSecretResult}
 * returns {@code null} at once and the answer reaches Scandium later through its result handler,
 * never on the calling thread (the {@link AdvancedPskStore} contract), so a slow Key Manager never
 * holds a DTLS thread; a late answer fails the handshake. A refusal is sent to the client as an
 * alert ({@link RefusingDtlsConnector}).
 */
final class KeyManagerPskStore implements AdvancedPskStore {
  private final KeyResolver resolver;
  private final Executor handoff;
  private volatile HandshakeResultHandler resultHandler;
  private volatile RefusingDtlsConnector connector;

  /** {@code handoff} runs a result handler when the answer arrives on the calling thread. */
  KeyManagerPskStore(KeyResolver resolver, Executor handoff) {
    this.resolver = resolver;
    this.handoff = handoff;
  }

  void refuseThrough(RefusingDtlsConnector connector) {
    this.connector = connector;
  }

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
    CompletableFuture<Resolution> resolution = resolver.resolve(identity.getPublicInfoAsString());
    if (resolution.isDone()) {
      // in memory (cache hit): answer on this thread, no hand-off
      return result(cid, identity, resolution.join());
    }
    Thread caller = Thread.currentThread();
    resolution.thenAccept(
        r -> {
          if (Thread.currentThread() == caller) {
            // completed between isDone() and here: Scandium must not hear back on its own thread
            handoff.execute(() -> resultHandler.apply(result(cid, identity, r)));
          } else {
            resultHandler.apply(result(cid, identity, r));
          }
        });
    return null;
  }

  private PskSecretResult result(
      ConnectionId cid, PskPublicInformation identity, Resolution resolution) {
    SecretKey secret = null;
    if (resolution.key().isPresent()) {
      byte[] bytes = resolution.key().get().key();
      secret = SecretUtil.create(bytes, PskSecretResult.ALGORITHM_PSK);
      Arrays.fill(bytes, (byte) 0);
    } else if (connector != null) {
      connector.refuse(
          cid,
          resolution.keyManagerUnavailable()
              ? AlertDescription.INTERNAL_ERROR
              : AlertDescription.UNKNOWN_PSK_IDENTITY);
    }
    return new PskSecretResult(cid, identity, secret);
  }

  @Override
  public PskPublicInformation getIdentity(InetSocketAddress peerAddress, ServerNames virtualHost) {
    return null;
  }

  @Override
  public void setResultHandler(HandshakeResultHandler resultHandler) {
    this.resultHandler = resultHandler;
  }
}
