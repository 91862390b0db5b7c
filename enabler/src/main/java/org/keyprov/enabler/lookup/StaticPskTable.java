package org.keyprov.enabler.lookup;

import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.keyprov.keys.LookupResult;
import org.keyprov.keys.NafKey;
import org.keyprov.keys.gba.BTid;
import org.keyprov.keys.gba.NafId;

/**
 * A fixed in-memory table of PSK identities and keys, answered on the handshake thread: for interop
 * tests with text keys and as the benchmark baseline (an Enabler without a Key Manager).
 */
public final class StaticPskTable implements PromptLookup {
  private final Map<String, NafKey> keys = new ConcurrentHashMap<>();

  /** Adds an identity; the key is copied. */
  public StaticPskTable put(String identity, byte[] key, Instant expiresAt) {
    keys.put(identity, new NafKey(new BTid(identity), key, expiresAt, "static", "static", 1));
    return this;
  }

  /** The table is all in memory: always answers now. */
  @Override
  public java.util.Optional<LookupResult> answerNow(String pskIdentity, NafId nafId) {
    return java.util.Optional.of(lookup(pskIdentity, nafId));
  }

  @Override
  public LookupResult lookup(String pskIdentity, NafId nafId) {
    NafKey key = keys.get(pskIdentity);
    return key == null
        ? new LookupResult.Refused(LookupResult.Refusal.UNKNOWN_IDENTITY, "not in the static table")
        : new LookupResult.Granted(key);
  }
}
