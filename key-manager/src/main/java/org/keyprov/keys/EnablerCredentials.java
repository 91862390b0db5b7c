package org.keyprov.keys;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Credentials that Enablers present to the Key Manager's lookup API, one or more per NAF FQDN. Only
 * a hash is stored; the secret is returned once, by {@link #issue}. Thread-safe.
 */
public interface EnablerCredentials {

  /** A newly issued credential: {@code secret} is shown once and never stored. */
  record Issued(String label, String nafFqdn, String secret) {
    @Override
    public String toString() {
      return "Issued[label=" + label + ", naf=" + nafFqdn + "]";
    }
  }

  /** What is known of a credential, without its secret. */
  record Info(String label, String nafFqdn, Instant createdAt, Optional<Instant> revokedAt) {}

  /** Issues a credential for an existing Enabler. */
  Issued issue(String nafFqdn, String actor);

  /** The NAF FQDN the presented secret was issued for, if it is valid and not revoked. */
  Optional<String> authenticate(String presentedSecret);

  /** Revokes by label; lookups with it fail from now on. */
  void revoke(String label, String actor);

  List<Info> list();
}
