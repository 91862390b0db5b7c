package org.keyprov.keys;

import java.util.Objects;

/** The answer to a {@link PskLookup}: the key, or a typed refusal. */
public sealed interface LookupResult {

  /** Why a lookup was refused, with the Zn result code it mirrors (TS 29.109). */
  enum Refusal {
    /** No key record carries this identity. 5403 TRANSACTION_IDENTIFIER_INVALID. */
    UNKNOWN_IDENTITY(5403),
    /** The key record's expiry has passed. 5403. */
    EXPIRED(5403),
    /** The key record was revoked (a superseded one stays valid until it expires). 5403. */
    REVOKED(5403),
    /** The key was minted for another NAF_Id. 5402 NOT_AUTHORIZED. */
    OTHER_NAF(5402);

    private final int znResultCode;

    Refusal(int znResultCode) {
      this.znResultCode = znResultCode;
    }

    public int znResultCode() {
      return znResultCode;
    }
  }

  record Granted(NafKey key) implements LookupResult {
    public Granted {
      Objects.requireNonNull(key, "key");
    }
  }

  record Refused(Refusal reason, String message) implements LookupResult {
    public Refused {
      Objects.requireNonNull(reason, "reason");
      Objects.requireNonNull(message, "message");
    }
  }
}
