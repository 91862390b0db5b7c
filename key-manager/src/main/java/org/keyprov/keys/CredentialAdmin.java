package org.keyprov.keys;

import java.util.List;
import java.util.Optional;
import org.keyprov.keys.gba.BTid;

/**
 * Writes to the Key Manager: devices, Enablers, assignments, key minting and revocation. Every
 * change is audited under the {@code actor} it is given: the logged-in operator for the UI and API,
 * {@link #cliActor()} for the command line, {@link #SYSTEM} for what keyprov does on its own.
 * Thread-safe. Failures are {@link KeyManagerException}s whose message is fit for the operator.
 */
public interface CredentialAdmin {
  /** The actor of what the Key Manager and the DM server do without an operator. */
  String SYSTEM = "key-manager";

  /**
   * The OS user a command line runs for on this thread, when it runs in a server for the {@code
   * keyprov} command of another process (null: this process's own user).
   */
  ThreadLocal<String> CLI_USER = new ThreadLocal<>();

  /** The actor of a command-line change: {@code cli:} and the OS user who ran it. */
  static String cliActor() {
    String forwarded = CLI_USER.get();
    String user = forwarded != null ? forwarded : System.getProperty("user.name", "");
    return "cli:" + (user.isBlank() ? "unknown" : user);
  }

  /**
   * Registers a device with its DM (DTLS-PSK) credential and gives it a fresh random root key Ks.
   * Its IMPI is {@code <endpoint>@<domain>}.
   */
  Device addDevice(String endpoint, String dmPskIdentity, byte[] dmPsk, String actor);

  /**
   * Adds a device with a new random 16-byte DM PSK and returns it, to be shown once for flashing
   * the device; it is stored sealed only.
   */
  DmPsk addDeviceWithNewPsk(String endpoint, String dmPskIdentity, String actor);

  /**
   * Adds many devices in one transaction: all of them, or (on any invalid or duplicate entry) none,
   * with the first problem in the exception's message.
   */
  default List<Device> addDevices(List<NewDevice> devices, String actor) {
    return addDevices(devices, java.util.Map.of(), actor, done -> {});
  }

  /**
   * {@link #addDevices(List, String)}, and in the same transaction assigns each device the Enablers
   * {@code enablers} lists for its endpoint (an unknown Enabler, and nothing is added); {@code
   * progress} hears how many devices are stored, as the work goes.
   */
  List<Device> addDevices(
      List<NewDevice> devices,
      java.util.Map<String, List<String>> enablers,
      String actor,
      java.util.function.IntConsumer progress);

  Optional<Device> device(String endpoint);

  /** Devices ordered by endpoint. */
  List<Device> devices();

  /**
   * One page of devices ordered by endpoint: those whose endpoint or DM PSK identity contains
   * {@code search}, ignoring case (empty for all), and that sort after {@code after} (empty for the
   * first page). Keyset paging on the endpoint: no offsets, however deep the page.
   */
  default List<Device> devicePage(String search, String after, int limit) {
    return devicePage(search, null, null, after, limit);
  }

  /**
   * {@link #devicePage(String, String, int)} narrowed to devices with an assignment in {@code
   * state} (as shown: a provisioned key past its expiry is EXPIRED, one whose last connection
   * failed is FAILED) and/or to Enabler {@code enabler}; null for any.
   */
  default List<Device> devicePage(
      String search, ProvisioningState state, String enabler, String after, int limit) {
    return devicePage(search, state, enabler, DeviceOrder.ENDPOINT, after, limit);
  }

  /**
   * {@link #devicePage(String, ProvisioningState, String, String, int)} in {@code order}; {@code
   * after} is the {@link DeviceOrder#cursor(Device)} of the previous page's last device (a bad one
   * is an {@link IllegalArgumentException}).
   */
  List<Device> devicePage(
      String search,
      ProvisioningState state,
      String enabler,
      DeviceOrder order,
      String after,
      int limit);

  /**
   * Deletes a device with its assignments and key records; Enablers refuse its keys from now on.
   */
  void deleteDevice(String endpoint, String actor);

  /** How many devices there are, and assignments per provisioning state. */
  java.util.Map<String, Long> counts();

  /** Adds an Enabler, or replaces the profile of the one with the same FQDN. */
  EnablerProfile putEnabler(EnablerProfile enabler, String actor);

  /**
   * Deletes an Enabler: it is taken off every device (the DM servers delete its instances), its
   * keys stop working at once (the invalidation feed tells it), and its profile, assignments and
   * key records go. Its credentials stay until revoked, so it can still read that feed.
   *
   * @return how many devices it was assigned to
   * @throws KeyManagerException NOT_FOUND if there is no such Enabler
   */
  int deleteEnabler(String fqdn, String actor);

  Optional<EnablerProfile> enabler(String fqdn);

  List<EnablerProfile> enablers();

  /** Assigns an Enabler to a device; provisioning follows on the device's next registration. */
  void assign(String endpoint, String fqdn, String actor);

  /**
   * Takes an Enabler off a device: its keys for that Enabler are revoked (Enablers refuse them at
   * once), the assignment is deleted, and a DM server that has the device registered deletes the
   * device's instance for it.
   */
  void unassign(String endpoint, String fqdn, String actor);

  /**
   * Gives the device a new random 16-byte DM PSK, returned once for flashing the device; the old
   * one stops working at once (the DM server ends the device's DTLS session and registration).
   */
  DmPsk changeDmPsk(String endpoint, String actor);

  /**
   * Adds a device that arrives with a factory bootstrap credential only: the LwM2M bootstrap server
   * accepts that credential and gives the device a DM PSK minted for it, which nobody types or
   * sees. Until then the device has a random DM PSK nobody knows.
   */
  Device addBootstrapDevice(String endpoint, String bsPskIdentity, byte[] bsPsk, String actor);

  /**
   * Gives a device a (new) factory bootstrap credential, replacing the one it had: how a device
   * flashed with a DM PSK is moved to bootstrap, and how a factory credential is replaced.
   */
  void setBootstrapPsk(String endpoint, String bsPskIdentity, byte[] bsPsk, String actor);

  /**
   * Asks for the device's DM PSK to be rotated through the bootstrap server: a DM server holding
   * its registration makes it bootstrap again (now, or when it next registers), the bootstrap
   * server writes a new DM PSK, and the old one is retired once the device registers with the new.
   *
   * @throws KeyManagerException NOT_FOUND if there is no such device, INVALID if it has no factory
   *     bootstrap credential (change its DM PSK by hand instead)
   */
  void requestDmRotation(String endpoint, String actor);

  /**
   * Rotates the device's factory bootstrap credential through the bootstrap server: a new one is
   * minted, the device is asked to bootstrap again (as for {@link #requestDmRotation}, so its DM
   * PSK is rotated too), the bootstrap server writes the new bootstrap credential, and the old one
   * stops working once the device bootstraps with the new one.
   *
   * @throws KeyManagerException NOT_FOUND if there is no such device, INVALID if it has no factory
   *     bootstrap credential
   */
  void rotateBootstrapPsk(String endpoint, String actor);

  /** The device's bootstrap and DM credential state; empty if there is no such device. */
  Optional<BootstrapStatus> bootstrapStatus(String endpoint);

  /**
   * The parameters to write for (device, Enabler): the current key record if it is active and not
   * near expiry, else a newly minted one (the old one is superseded).
   */
  EnablerParameters currentParameters(String endpoint, String fqdn);

  /**
   * Revokes the key records of a B-TID (every Enabler's under it); Enablers refuse them from now on
   * and the assignments are re-provisioned.
   */
  void revoke(BTid btid, String actor);

  /**
   * Revokes every key of (device, Enabler) not revoked yet — the current one and superseded ones
   * still valid — as {@link #revoke} does for each, so the operator need not know their B-TIDs.
   *
   * @return how many keys were revoked
   * @throws KeyManagerException NOT_FOUND if the device has no such key
   */
  int revokeKeys(String endpoint, String fqdn, String actor);

  /**
   * Personalises a SIM for the device: assigns the Enablers, mints one bootstrapping (RAND, B-TID)
   * with a key record per Enabler, and returns everything the card needs, Ks included. The only
   * operation that exports Ks; audited.
   */
  SimPersonalisation personaliseSim(String endpoint, java.util.List<String> fqdns, String actor);
}
