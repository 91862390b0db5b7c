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
          return identity.equals("dev1-id")
              ? Optional.of(new DmPsk("dev1", "dev1-id", key))
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
  void the_requests_after_a_handshake_reuse_its_credential_for_5_seconds() {
    store.getByIdentity("dev1-id");

    // the Register, and the Update that follows once keyprov created its instance
    assertThat(store.getByEndpoint("dev1").getPreSharedKey()).containsExactly(1, 2, 3, 4);
    nanos.addAndGet(4_999_000_000L);
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
  void a_removed_device_is_looked_up_again() {
    store.getByIdentity("dev1-id");
    store.remove("dev1", true);

    store.getByEndpoint("dev1");
    assertThat(byEndpoint).hasValue(1);
  }
}
