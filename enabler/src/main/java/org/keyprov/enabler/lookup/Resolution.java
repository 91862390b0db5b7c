package org.keyprov.enabler.lookup;

import java.util.Objects;
import java.util.Optional;
import org.keyprov.keys.NafKey;

/**
 * What a handshake's PSK identity resolved to: a key, a refusal (unknown, expired, revoked or
 * another Enabler's identity: the client must not retry with it), or no answer from the Key Manager
 * (unreachable or slow: retrying later may work). The transports tell the last two apart on the
 * wire: {@code unknown_psk_identity} and {@code internal_error}.
 */
public final class Resolution {
  private static final Resolution REFUSED = new Resolution(null, false);
  private static final Resolution UNAVAILABLE = new Resolution(null, true);

  private final NafKey key;
  private final boolean unavailable;

  private Resolution(NafKey key, boolean unavailable) {
    this.key = key;
    this.unavailable = unavailable;
  }

  static Resolution granted(NafKey key) {
    return new Resolution(Objects.requireNonNull(key, "key"), false);
  }

  static Resolution refused() {
    return REFUSED;
  }

  static Resolution unavailable() {
    return UNAVAILABLE;
  }

  /** The key, if granted. */
  public Optional<NafKey> key() {
    return Optional.ofNullable(key);
  }

  /** The Key Manager did not answer in time (not a refusal). */
  public boolean keyManagerUnavailable() {
    return unavailable;
  }

  @Override
  public String toString() {
    return key != null ? "granted" : unavailable ? "unavailable" : "refused";
  }
}
