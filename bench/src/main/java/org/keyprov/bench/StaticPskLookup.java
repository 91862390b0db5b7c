package org.keyprov.bench;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.keyprov.keys.LookupResult;
import org.keyprov.keys.NafKey;
import org.keyprov.keys.PskLookup;
import org.keyprov.keys.gba.BTid;
import org.keyprov.keys.gba.NafId;

/** The baseline: a static in-memory PSK table, no Key Manager. */
final class StaticPskLookup implements PskLookup {
  private final Map<String, byte[]> keys = new HashMap<>();
  private final Instant expiry = Instant.now().plus(1, ChronoUnit.DAYS);

  StaticPskLookup(List<BenchStore.Credential> credentials) {
    for (BenchStore.Credential c : credentials) {
      keys.put(c.identity(), c.key());
    }
  }

  @Override
  public LookupResult lookup(String pskIdentity, NafId nafId) {
    byte[] key = keys.get(pskIdentity);
    if (key == null) {
      return new LookupResult.Refused(LookupResult.Refusal.UNKNOWN_IDENTITY, "not in the table");
    }
    return new LookupResult.Granted(new NafKey(new BTid(pskIdentity), key, expiry, "x", "x", 1));
  }
}
