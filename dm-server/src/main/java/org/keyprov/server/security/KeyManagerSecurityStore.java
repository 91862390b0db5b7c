package org.keyprov.server.security;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.eclipse.leshan.core.peer.OscoreIdentity;
import org.eclipse.leshan.server.security.EditableSecurityStore;
import org.eclipse.leshan.server.security.SecurityInfo;
import org.eclipse.leshan.server.security.SecurityStore;
import org.eclipse.leshan.server.security.SecurityStoreListener;
import org.keyprov.keys.DmCredentials;
import org.keyprov.keys.DmPsk;
import org.keyprov.keys.ThrottledAudit;

/**
 * Leshan's {@link SecurityStore} answered from the Key Manager's DM credentials, so devices
 * register over DTLS-PSK with the credential the operator created. Answers by identity and by
 * endpoint from the same rows, so Leshan's check that the identity belongs to the registering
 * endpoint holds. OSCORE is not offered.
 *
 * <p>Editable only in the sense Leshan needs to hear of removals: {@link #remove} (a device deleted
 * at the Key Manager) tells Leshan's connection cleaner to end the device's DTLS sessions. Devices
 * are added through the Key Manager, never here.
 */
public final class KeyManagerSecurityStore implements EditableSecurityStore {
  private final DmCredentials credentials;
  private final List<SecurityStoreListener> listeners = new CopyOnWriteArrayList<>();

  /** The PSK identity each endpoint last registered with: all a removal needs once it is gone. */
  private final Map<String, String> identities = new ConcurrentHashMap<>();

  /**
   * The credential a handshake just used, per endpoint, kept for the requests that follow on that
   * session (Leshan checks each Register and Update by endpoint): the Register and the Update that
   * reports the instance keyprov then creates cost no database lookup of their own. Kept for at
   * most {@link #REUSE_NANOS}; dropped when the device is removed or its DM PSK changes (the
   * invalidation feed then also ends the session the credential was used on).
   */
  private final Map<String, Recent> justUsed = new ConcurrentHashMap<>();

  private record Recent(DmPsk psk, long nanos) {}

  /**
   * Handshakes with a pending DM PSK or one due for rotation, per endpoint, until the registration
   * on that session ({@link #registeredWith}).
   */
  private final Map<String, DmPsk> handshaken = new ConcurrentHashMap<>();

  private static final org.slf4j.Logger LOG =
      org.slf4j.LoggerFactory.getLogger(KeyManagerSecurityStore.class);

  /**
   * Long enough for the Update after keyprov's Create when a fleet registers at once: its pass then
   * waits behind thousands of others (with 5 s, most of a 3,000-device burst's Updates went to the
   * database again).
   */
  private static final long REUSE_NANOS = java.util.concurrent.TimeUnit.SECONDS.toNanos(60);

  /**
   * At this many entries the expired ones are dropped, and all of them if none has expired (a flood
   * of handshakes without a request): a bound on memory, not a cache policy.
   */
  private static final int MAX_JUST_USED = 50_000;

  private final ThrottledAudit refusals;

  /** The clock of {@link #justUsed}. */
  private final java.util.function.LongSupplier nanos;

  /** {@code refusals}: where an unknown DTLS identity is reported. */
  public KeyManagerSecurityStore(DmCredentials credentials, ThrottledAudit refusals) {
    this(credentials, refusals, System::nanoTime);
  }

  /** {@code nanos}: the clock {@link #REUSE_NANOS} is measured on. */
  KeyManagerSecurityStore(
      DmCredentials credentials, ThrottledAudit refusals, java.util.function.LongSupplier nanos) {
    this.credentials = Objects.requireNonNull(credentials, "credentials");
    this.refusals = Objects.requireNonNull(refusals, "refusals");
    this.nanos = nanos;
  }

  @Override
  public SecurityInfo getByEndpoint(String endpoint) {
    Recent recent = justUsed.get(endpoint);
    if (recent != null) {
      if (nanos.getAsLong() - recent.nanos() < REUSE_NANOS) {
        return toInfo(recent.psk());
      }
      justUsed.remove(endpoint, recent);
    }
    return credentials.byEndpoint(endpoint).map(this::toInfo).orElse(null);
  }

  @Override
  public SecurityInfo getByIdentity(String pskIdentity) {
    java.util.Optional<DmPsk> psk = credentials.byIdentity(pskIdentity);
    psk.ifPresent(
        p -> {
          long now = nanos.getAsLong();
          if (justUsed.size() >= MAX_JUST_USED) {
            justUsed.values().removeIf(r -> now - r.nanos() >= REUSE_NANOS);
            if (justUsed.size() >= MAX_JUST_USED) {
              justUsed.clear();
            }
          }
          justUsed.put(p.endpoint(), new Recent(p, now));
          if (p.pending() || p.rotationDue()) {
            if (handshaken.size() >= MAX_JUST_USED) {
              handshaken.clear();
            }
            handshaken.put(p.endpoint(), p);
          }
        });
    SecurityInfo info = psk.map(this::toInfo).orElse(null);
    if (info == null) {
      refusals.record(
          "dm.handshake.refused",
          Printable.of(pskIdentity),
          "DTLS handshake with a DM PSK identity no device has");
    }
    return info;
  }

  /**
   * Leshan approved a registration or update of {@code endpoint} made over a DTLS session with
   * {@code pskIdentity}: if that is the device's pending DM PSK (issued by the bootstrap server),
   * it becomes the current one and the old one is retired. Answers whether the device's DM PSK is
   * due for rotation (the operator asked, and the device still uses the old one): the DM server
   * then makes it bootstrap again.
   */
  public boolean registeredWith(String endpoint, String pskIdentity) {
    DmPsk seen = handshaken.get(endpoint);
    if (seen == null || !seen.identity().equals(pskIdentity)) {
      return false;
    }
    if (seen.pending()) {
      try {
        credentials.confirm(endpoint, pskIdentity);
      } catch (RuntimeException e) {
        // the database is away: both DM PSKs keep working, the next request on the session retries
        LOG.warn("{}: could not retire the old DM PSK yet: {}", endpoint, e.getMessage());
        return false;
      }
      handshaken.remove(endpoint, seen);
      LOG.info(
          "{} registered with the DM PSK the bootstrap server issued; the old one is retired",
          endpoint);
      return false;
    }
    handshaken.remove(endpoint, seen);
    return seen.rotationDue();
  }

  @Override
  public SecurityInfo getByOscoreIdentity(OscoreIdentity oscoreIdentity) {
    return null;
  }

  /** None: the credentials live in the Key Manager's database, not in this process. */
  @Override
  public Collection<SecurityInfo> getAll() {
    return List.of();
  }

  @Override
  public SecurityInfo add(SecurityInfo info) {
    throw new UnsupportedOperationException(
        "devices are added through the Key Manager (keyprov admin add-device, the UI or the API)");
  }

  /**
   * The device is gone from the Key Manager, or its DM PSK changed: Leshan ends its DTLS sessions
   * when {@code infosAreCompromised}. Answers the removed info, or {@code null} if the device has
   * no identity any more (deleted, and never seen by this server).
   */
  @Override
  public SecurityInfo remove(String endpoint, boolean infosAreCompromised) {
    justUsed.remove(endpoint);
    String identity = identities.remove(endpoint);
    if (identity == null) {
      // not handshaken with this run, but its session may have been restored from the last one
      // (DtlsSessionFile): a device whose DM PSK changed keeps its identity
      identity = credentials.byEndpoint(endpoint).map(DmPsk::identity).orElse(null);
    }
    if (identity == null) {
      // deleted: a session restored for it can do nothing, as no identity maps to the device
      return null;
    }
    // the key is not needed to find the sessions: the connection cleaner matches the identity
    SecurityInfo info = SecurityInfo.newPreSharedKeyInfo(endpoint, identity, new byte[16]);
    listeners.forEach(l -> l.securityInfoRemoved(infosAreCompromised, info));
    return info;
  }

  @Override
  public void addListener(SecurityStoreListener listener) {
    listeners.add(listener);
  }

  @Override
  public void removeListener(SecurityStoreListener listener) {
    listeners.remove(listener);
  }

  private SecurityInfo toInfo(DmPsk psk) {
    identities.put(psk.endpoint(), psk.identity());
    // DmPsk.key() is a copy: Scandium may wipe what it gets.
    return SecurityInfo.newPreSharedKeyInfo(psk.endpoint(), psk.identity(), psk.key());
  }
}
