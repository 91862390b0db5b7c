package org.keyprov.keys.testing;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import org.keyprov.keys.LookupResult;
import org.keyprov.keys.NafKey;
import org.keyprov.keys.PskLookup;
import org.keyprov.keys.gba.BTid;
import org.keyprov.keys.gba.NafId;

/** Knows one identity and its key; refuses every other identity as unknown. */
public final class FakePskLookup implements PskLookup {
  private final String identity;
  private final byte[] key;

  public FakePskLookup(String identity, byte[] key) {
    this.identity = identity;
    this.key = key.clone();
  }

  @Override
  public LookupResult lookup(String pskIdentity, NafId nafId) {
    if (!identity.equals(pskIdentity)) {
      return new LookupResult.Refused(
          LookupResult.Refusal.UNKNOWN_IDENTITY, "not the fake's identity");
    }
    return new LookupResult.Granted(
        new NafKey(
            new BTid(identity),
            key,
            Instant.now().plus(1, ChronoUnit.DAYS),
            "fake@test",
            "fake",
            1));
  }
}
