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

  @Override
  public Iterator<SecurityInfo> getAllByEndpoint(String endpoint) {
    List<SecurityInfo> infos = credentials.byEndpoint(endpoint).map(this::toInfo).stream().toList();
    return infos.isEmpty() ? Collections.emptyIterator() : infos.iterator();
  }

  @Override
  public SecurityInfo getByIdentity(String pskIdentity) {
    SecurityInfo info = credentials.byIdentity(pskIdentity).map(this::toInfo).orElse(null);
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
