package org.keyprov.enabler;

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
  private final KeyCache cache = new KeyCache(keyManager, 100, Duration.ofSeconds(30), clock);

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
