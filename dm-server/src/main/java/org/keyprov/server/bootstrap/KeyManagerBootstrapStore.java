package org.keyprov.server.bootstrap;

import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import org.eclipse.leshan.core.peer.OscoreIdentity;
import org.eclipse.leshan.server.security.BootstrapSecurityStore;
import org.eclipse.leshan.server.security.SecurityInfo;
import org.keyprov.keys.BootstrapCredentials;
import org.keyprov.keys.DmPsk;
import org.keyprov.keys.ThrottledAudit;
import org.keyprov.server.security.Printable;

/**
 * Leshan's {@link BootstrapSecurityStore} answered from the devices' factory bootstrap credentials:
 * a device bootstraps over DTLS-PSK with the identity and key it was flashed with, and Leshan's
 * check that the identity belongs to the endpoint in the Bootstrap-Request holds. An identity no
 * device has is refused and audited.
 */
final class KeyManagerBootstrapStore implements BootstrapSecurityStore {
  private final BootstrapCredentials credentials;
  private final ThrottledAudit refusals;

  KeyManagerBootstrapStore(BootstrapCredentials credentials, ThrottledAudit refusals) {
    this.credentials = credentials;
    this.refusals = refusals;
  }

  /** Pending factory credentials a handshake just used, until the session is authorized. */
  private final java.util.Set<String> pendingUsed =
      java.util.concurrent.ConcurrentHashMap.newKeySet();

  /** The device's current factory credential, and a new one it is being moved to. */
  @Override
  public Iterator<SecurityInfo> getAllByEndpoint(String endpoint) {
    List<SecurityInfo> infos = new java.util.ArrayList<>(2);
    credentials.byEndpoint(endpoint).map(this::toInfo).ifPresent(infos::add);
    credentials.nextBootstrapPsk(endpoint).map(this::toInfo).ifPresent(infos::add);
    return infos.isEmpty() ? Collections.emptyIterator() : infos.iterator();
  }

  /**
   * Whether the handshake with {@code pskIdentity} used a pending new factory credential (asked
   * once, by the session it authorized).
   */
  boolean usedPending(String pskIdentity) {
    return pendingUsed.remove(pskIdentity);
  }

  @Override
  public SecurityInfo getByIdentity(String pskIdentity) {
    java.util.Optional<DmPsk> psk = credentials.byIdentity(pskIdentity);
    if (psk.isPresent() && psk.get().pending()) {
      if (pendingUsed.size() > 10_000) {
        pendingUsed.clear();
      }
      pendingUsed.add(pskIdentity);
    }
    SecurityInfo info = psk.map(this::toInfo).orElse(null);
    if (info == null) {
      refusals.record(
          "bootstrap.refused",
          Printable.of(pskIdentity),
          "DTLS handshake at the bootstrap server with a bootstrap PSK identity no device has");
    }
    return info;
  }

  @Override
  public SecurityInfo getByOscoreIdentity(OscoreIdentity oscoreIdentity) {
    return null;
  }

  private SecurityInfo toInfo(DmPsk psk) {
    // DmPsk.key() is a copy: Scandium may wipe what it gets.
    return SecurityInfo.newPreSharedKeyInfo(psk.endpoint(), psk.identity(), psk.key());
  }
}
