package org.keyprov.server.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.keyprov.keys.AuditEvent;
import org.keyprov.keys.AuditLog;
import org.keyprov.keys.DmCredentials;
import org.keyprov.keys.DmPsk;
import org.keyprov.keys.ThrottledAudit;

class KeyManagerSecurityStoreTest {
  private final AtomicInteger byEndpoint = new AtomicInteger();
  private volatile byte[] key = {1, 2, 3, 4};
  private final DmCredentials db =
      new DmCredentials() {
        @Override
        public Optional<DmPsk> byIdentity(String identity) {
          return identity.startsWith("dev") && identity.endsWith("-id")
              ? Optional.of(new DmPsk(identity.substring(0, identity.length() - 3), identity, key))
              : Optional.empty();
        }

        @Override
        public Optional<DmPsk> byEndpoint(String endpoint) {
          byEndpoint.incrementAndGet();
          return endpoint.equals("dev1")
              ? Optional.of(new DmPsk("dev1", "dev1-id", key))
              : Optional.empty();
        }

        @Override
        public void confirm(String endpoint, String identity) {}
      };
  private final java.util.concurrent.atomic.AtomicLong nanos =
      new java.util.concurrent.atomic.AtomicLong();
  private final KeyManagerSecurityStore store =
      new KeyManagerSecurityStore(
          db, new ThrottledAudit(new NoAudit(), Clock.systemUTC(), 60, "test", "x"), nanos::get);

  private static final class NoAudit implements AuditLog {
    @Override
    public void record(String actor, String action, String subject, String detail) {}

    @Override
    public List<AuditEvent> recent(int limit) {
      return List.of();
    }

    @Override
    public List<AuditEvent> search(
        String subject,
        String detailContains,
        String action,
        Instant since,
        Long beforeId,
        int limit) {
      return List.of();
    }
  }

  @Test
  void the_requests_after_a_handshake_reuse_its_credential_for_a_minute() {
    store.getByIdentity("dev1-id");

    // the Register, and the Update that follows once keyprov created its instance, which can be
    // many seconds later when its pass waits behind a fleet's
    assertThat(store.getByEndpoint("dev1").getPreSharedKey()).containsExactly(1, 2, 3, 4);
    nanos.addAndGet(59_999_000_000L);
    assertThat(store.getByEndpoint("dev1").getPreSharedKey()).containsExactly(1, 2, 3, 4);
    assertThat(byEndpoint).hasValue(0);

    key = new byte[] {9, 9};
    nanos.addAndGet(1_000_000L);
    assertThat(store.getByEndpoint("dev1").getPreSharedKey()).containsExactly(9, 9);
    assertThat(byEndpoint).hasValue(1);
    assertThat(store.getByEndpoint("dev1").getPreSharedKey()).containsExactly(9, 9);
    assertThat(byEndpoint).hasValue(2);
  }

  @Test
  void a_full_memory_drops_the_expired_credentials_and_keeps_the_recent_ones() {
    for (int i = 0; i < 49_999; i++) {
      store.getByIdentity("dev" + i + "-id");
    }
    nanos.addAndGet(30_000_000_000L);
    store.getByIdentity("devRecent-id");
    nanos.addAndGet(31_000_000_000L);

    store.getByIdentity("devNew-id");

    assertThat(store.getByEndpoint("devRecent")).isNotNull();
    assertThat(store.getByEndpoint("devNew")).isNotNull();
    assertThat(byEndpoint).as("both answered from memory").hasValue(0);
    store.getByEndpoint("dev0");
    assertThat(byEndpoint).as("an expired one is looked up").hasValue(1);
  }

  @Test
  void a_removed_device_is_looked_up_again() {
    store.getByIdentity("dev1-id");
    store.remove("dev1", true);

    store.getByEndpoint("dev1");
    assertThat(byEndpoint).hasValue(1);
  }
}
