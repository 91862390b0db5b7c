package org.keyprov.enabler.transport;

import java.net.InetSocketAddress;
import java.util.Arrays;
import javax.crypto.SecretKey;
import org.eclipse.californium.scandium.dtls.ConnectionId;
import org.eclipse.californium.scandium.dtls.HandshakeResultHandler;
import org.eclipse.californium.scandium.dtls.PskPublicInformation;
import org.eclipse.californium.scandium.dtls.PskSecretResult;
import org.eclipse.californium.scandium.dtls.pskstore.AdvancedPskStore;
import org.eclipse.californium.scandium.util.SecretUtil;
import org.eclipse.californium.scandium.util.ServerNames;
import org.keyprov.enabler.KeyResolver;

/**
 * Scandium's PSK store answered by the Key Manager. Asynchronous: {@link #requestPskSecretResult}
 * returns {@code null} at once and the answer reaches Scandium later through its result handler, so
 * a slow Key Manager never holds a DTLS thread; a late answer fails the handshake.
 */
public final class KeyManagerPskStore implements AdvancedPskStore {
  private final KeyResolver resolver;
  private volatile HandshakeResultHandler resultHandler;

  public KeyManagerPskStore(KeyResolver resolver) {
    this.resolver = resolver;
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
    java.util.concurrent.CompletableFuture<java.util.Optional<org.keyprov.keys.NafKey>> key =
        resolver.resolve(identity.getPublicInfoAsString());
    if (key.isDone()) {
      // in memory (cache hit): answer on this thread, no hand-off
      return result(cid, identity, key.join());
    }
    key.thenAccept(k -> resultHandler.apply(result(cid, identity, k)));
    return null;
  }

  private static PskSecretResult result(
      ConnectionId cid,
      PskPublicInformation identity,
      java.util.Optional<org.keyprov.keys.NafKey> key) {
    SecretKey secret = null;
    if (key.isPresent()) {
      byte[] bytes = key.get().key();
      secret = SecretUtil.create(bytes, PskSecretResult.ALGORITHM_PSK);
      Arrays.fill(bytes, (byte) 0);
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
