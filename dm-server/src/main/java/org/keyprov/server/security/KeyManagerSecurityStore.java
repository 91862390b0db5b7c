package org.keyprov.server.security;

import java.util.Objects;
import org.eclipse.leshan.core.peer.OscoreIdentity;
import org.eclipse.leshan.server.security.SecurityInfo;
import org.eclipse.leshan.server.security.SecurityStore;
import org.keyprov.keys.DmCredentials;
import org.keyprov.keys.DmPsk;

/**
 * Leshan's {@link SecurityStore} answered from the Key Manager's DM credentials, so devices
 * register over DTLS-PSK with the credential the operator created. Answers by identity and by
 * endpoint from the same rows, so Leshan's check that the identity belongs to the registering
 * endpoint holds. OSCORE is not offered.
 */
public final class KeyManagerSecurityStore implements SecurityStore {
  private final DmCredentials credentials;

  public KeyManagerSecurityStore(DmCredentials credentials) {
    this.credentials = Objects.requireNonNull(credentials, "credentials");
  }

  @Override
  public SecurityInfo getByEndpoint(String endpoint) {
    return credentials.byEndpoint(endpoint).map(KeyManagerSecurityStore::toInfo).orElse(null);
  }

  @Override
  public SecurityInfo getByIdentity(String pskIdentity) {
    return credentials.byIdentity(pskIdentity).map(KeyManagerSecurityStore::toInfo).orElse(null);
  }

  @Override
  public SecurityInfo getByOscoreIdentity(OscoreIdentity oscoreIdentity) {
    return null;
  }

  private static SecurityInfo toInfo(DmPsk psk) {
    // DmPsk.key() is a copy: Scandium may wipe what it gets.
    return SecurityInfo.newPreSharedKeyInfo(psk.endpoint(), psk.identity(), psk.key());
  }
}
