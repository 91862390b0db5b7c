package org.keyprov.enabler.lookup;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.keyprov.keys.LookupResult;
import org.keyprov.keys.PskLookup;
import org.keyprov.keys.gba.NafId;
import org.keyprov.keys.gba.UaSecurityProtocolId;
import org.keyprov.keys.testing.FakePskLookup;
import org.keyprov.keys.testing.MutableClock;

class KeyCacheTest {
  private static final String IDENTITY = "AAAAAAAAAAAAAAAAAAAAAA==@km.test";
  private static final NafId NAF_A =
      new NafId("a.enabler.test", UaSecurityProtocolId.omaPskTls(0xC0A8));
  private static final NafId NAF_B =
      new NafId("b.enabler.test", UaSecurityProtocolId.omaPskTls(0xC0A8));

  private final MutableClock clock = new MutableClock(Instant.parse("2026-11-28T12:00:00Z"));
  private final AtomicInteger asked = new AtomicInteger();
  private final PskLookup keyManager =
      new PskLookup() {
        private final FakePskLookup fake = new FakePskLookup(IDENTITY, new byte[16]);

        @Override
        public LookupResult lookup(String pskIdentity, NafId nafId) {
          asked.incrementAndGet();
          return fake.lookup(pskIdentity, nafId);
        }
      };
  private final KeyCache cache =
      new KeyCache(keyManager, 100, Duration.ofSeconds(30), KeyCache.JITTER, clock, () -> 0.5);

  @Test
  void answers_a_repeated_handshake_from_memory_until_the_ttl() {
    assertThat(cache.lookup(IDENTITY, NAF_A)).isInstanceOf(LookupResult.Granted.class);
    assertThat(cache.answerNow(IDENTITY, NAF_A)).isPresent();
    assertThat(cache.lookup(IDENTITY, NAF_A)).isInstanceOf(LookupResult.Granted.class);
    assertThat(asked).hasValue(1);
    assertThat(cache.hits()).isEqualTo(2);

    clock.advance(Duration.ofSeconds(30));

    assertThat(cache.answerNow(IDENTITY, NAF_A)).isEmpty();
    cache.lookup(IDENTITY, NAF_A);
    assertThat(asked).hasValue(2);
  }

  @Test
  void keys_cached_in_one_burst_expire_spread_over_the_last_quarter_of_the_ttl() {
    java.util.Random random = new java.util.Random(7);
    PskLookup anyDevice =
        (identity, naf) ->
            new LookupResult.Granted(
                new org.keyprov.keys.NafKey(
                    new org.keyprov.keys.gba.BTid(identity),
                    new byte[16],
                    clock.instant().plus(Duration.ofDays(1)),
                    "impi@test",
                    "ep",
                    1));
    KeyCache burst =
        new KeyCache(
            anyDevice, 10_000, Duration.ofSeconds(40), KeyCache.JITTER, clock, random::nextDouble);
    java.util.List<String> identities = new java.util.ArrayList<>();
    for (int i = 0; i < 1000; i++) {
      String identity = String.format("AAAAAAAAAAAAAAAAAA%04d==@km.test", i);
      identities.add(identity);
      burst.lookup(identity, NAF_A);
    }

    // 30 s = three quarters of the ttl: nothing has expired yet; then 10 slices of 1 s
    clock.advance(Duration.ofSeconds(30));
    assertThat(identities).allMatch(id -> burst.answerNow(id, NAF_A).isPresent());
    long left = identities.size();
    for (int slice = 0; slice < 10; slice++) {
      clock.advance(Duration.ofSeconds(1));
      long now = identities.stream().filter(id -> burst.answerNow(id, NAF_A).isPresent()).count();
      assertThat(left - now).as("expired in slice %d", slice).isBetween(50L, 150L);
      left = now;
    }
    assertThat(left).isZero();
  }

  @Test
  void never_answers_for_another_naf_than_the_one_the_key_was_granted_to() {
    cache.lookup(IDENTITY, NAF_A);

    assertThat(cache.answerNow(IDENTITY, NAF_B)).isEmpty();
    cache.lookup(IDENTITY, NAF_B);
    assertThat(asked).hasValue(2);
  }

  @Test
  void does_not_keep_refusals() {
    cache.lookup("unknown@km.test", NAF_A);
    cache.lookup("unknown@km.test", NAF_A);

    assertThat(asked).hasValue(2);
    assertThat(cache.hits()).isZero();
  }
}
