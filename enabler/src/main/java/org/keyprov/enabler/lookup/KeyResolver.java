package org.keyprov.enabler.lookup;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.keyprov.keys.LookupResult;
import org.keyprov.keys.NafKey;
import org.keyprov.keys.PskLookup;
import org.keyprov.keys.gba.NafId;

/**
 * Resolves a handshake's PSK identity to a key on a lookup pool, with a deadline, and tells the
 * {@link HandshakeListener} what happened. Shared by the DTLS and TLS endpoints.
 */
public final class KeyResolver {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(KeyResolver.class);
  private final PskLookup lookup;
  private final NafId nafId;
  private final Executor executor;
  private final Duration timeout;
  private final HandshakeListener listener;

  public KeyResolver(
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

  public Duration timeout() {
    return timeout;
  }

  /**
   * Completes with the key, a refusal, or "unavailable" if the Key Manager failed or was late;
   * never exceptionally. Keys already in memory (a cache hit, a static table) complete at once on
   * the calling thread; only a trip to the Key Manager goes to the lookup pool.
   */
  public CompletableFuture<Resolution> resolve(String pskIdentity) {
    if (lookup instanceof PromptLookup prompt) {
      Optional<LookupResult> now = prompt.answerNow(pskIdentity, nafId);
      if (now.isPresent()) {
        return CompletableFuture.completedFuture(decide(pskIdentity, now.get()));
      }
    }
    return CompletableFuture.supplyAsync(() -> lookup.lookup(pskIdentity, nafId), executor)
        .orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
        .handle(
            (result, error) -> {
              if (error != null) {
                listener.lookupFailed(pskIdentity, describe(error));
                return Resolution.unavailable();
              }
              return decide(pskIdentity, result);
            });
  }

  /**
   * A handshake failed after {@code pskIdentity}'s key was granted (the client's key differs): the
   * listener hears it at once, the Key Manager on the lookup pool, so an I/O thread never waits.
   */
  public void handshakeFailed(String pskIdentity, String reason) {
    listener.handshakeFailed(pskIdentity, reason);
    try {
      executor.execute(
          () -> {
            try {
              lookup.handshakeFailed(pskIdentity, nafId, reason);
            } catch (RuntimeException e) {
              LOG.debug("failed handshake of {} not reported: {}", pskIdentity, e.getMessage());
            }
          });
    } catch (java.util.concurrent.RejectedExecutionException stopping) {
      LOG.debug("failed handshake of {} not reported: stopping", pskIdentity);
    }
  }

  private Resolution decide(String pskIdentity, LookupResult result) {
    if (result instanceof LookupResult.Granted granted) {
      NafKey key = granted.key();
      listener.keyGranted(pskIdentity, key.endpoint(), key.keyVersion());
      return Resolution.granted(key);
    }
    LookupResult.Refused refused = (LookupResult.Refused) result;
    listener.keyRefused(pskIdentity, refused.reason(), refused.message());
    return Resolution.refused();
  }

  private String describe(Throwable error) {
    Throwable cause =
        error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
    if (cause instanceof TimeoutException) {
      return "the Key Manager did not answer within the lookup timeout ("
          + timeout.toMillis()
          + " ms)";
    }
    return cause.getMessage() == null ? cause.toString() : cause.getMessage();
  }
}
