package org.keyprov.enabler.transport;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import javax.crypto.SecretKey;
import org.eclipse.californium.scandium.dtls.ConnectionId;
import org.eclipse.californium.scandium.dtls.HandshakeResultHandler;
import org.eclipse.californium.scandium.dtls.PskPublicInformation;
import org.eclipse.californium.scandium.dtls.PskSecretResult;
import org.eclipse.californium.scandium.dtls.pskstore.AdvancedPskStore;
import org.eclipse.californium.scandium.util.SecretUtil;
import org.eclipse.californium.scandium.util.ServerNames;
import org.keyprov.enabler.HandshakeListener;
import org.keyprov.keys.LookupResult;
import org.keyprov.keys.NafKey;
import org.keyprov.keys.PskLookup;
import org.keyprov.keys.gba.NafId;

/**
 * Scandium's PSK store answered by the Key Manager. Asynchronous: {@link #requestPskSecretResult}
 * returns {@code null} at once and the answer reaches Scandium later through its result handler, so
 * a slow Key Manager never holds a DTLS thread. A lookup that takes longer than the timeout fails
 * the handshake.
 */
public final class KeyManagerPskStore implements AdvancedPskStore {
  private final PskLookup lookup;
  private final NafId nafId;
  private final Executor executor;
  private final Duration timeout;
  private final HandshakeListener listener;
  private volatile HandshakeResultHandler resultHandler;

  public KeyManagerPskStore(
      PskLookup lookup,
      NafId nafId,
      Executor executor,
      Duration timeout,
      HandshakeListener listener) {
    this.lookup = lookup;
    this.nafId = nafId;
    this.executor = executor;
    this.timeout = timeout;
    this.listener = listener;
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
    String pskIdentity = identity.getPublicInfoAsString();
    CompletableFuture.supplyAsync(() -> lookup.lookup(pskIdentity, nafId), executor)
        .orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
        .whenComplete(
            (result, error) -> {
              SecretKey secret = null;
              if (error != null) {
                listener.lookupFailed(pskIdentity, describe(error));
              } else if (result instanceof LookupResult.Granted granted) {
                NafKey key = granted.key();
                byte[] bytes = key.key();
                secret = SecretUtil.create(bytes, PskSecretResult.ALGORITHM_PSK);
                Arrays.fill(bytes, (byte) 0);
                listener.keyGranted(pskIdentity, key.endpoint(), key.keyVersion());
              } else {
                LookupResult.Refused refused = (LookupResult.Refused) result;
                listener.keyRefused(pskIdentity, refused.reason(), refused.message());
              }
              resultHandler.apply(new PskSecretResult(cid, identity, secret));
            });
    return null;
  }

  private static String describe(Throwable error) {
    Throwable cause =
        error instanceof java.util.concurrent.CompletionException && error.getCause() != null
            ? error.getCause()
            : error;
    if (cause instanceof java.util.concurrent.TimeoutException) {
      return "the Key Manager did not answer in time";
    }
    return "the Key Manager lookup failed: " + cause.getMessage();
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
