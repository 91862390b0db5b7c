package org.keyprov.web.api;

import java.util.Arrays;
import java.util.HexFormat;
import org.keyprov.keys.BootstrapStatus;
import org.keyprov.keys.Device;
import org.keyprov.keys.KeyManager;
import org.keyprov.keys.KeyManagerException;
import org.keyprov.server.DeviceDirectory;
import org.keyprov.web.api.Api.Access;
import org.keyprov.web.api.Bodies.BootstrapPsk;
import org.keyprov.web.api.Bodies.NewDevice;
import org.keyprov.web.api.Views.BootstrapState;
import org.keyprov.web.api.Views.Rotation;

/**
 * The bootstrap side of a device in the operator API: a factory bootstrap credential, the DM
 * credential's state, and DM PSK rotation through the bootstrap server.
 */
final class BootstrapRoutes {
  private final KeyManager km;
  private final DeviceDirectory dm;

  BootstrapRoutes(KeyManager km, DeviceDirectory dm) {
    this.km = km;
    this.dm = dm;
  }

  void register(Api api) {
    api.tag("bootstrap");
    api.post(
            "/devices/{endpoint}/bootstrap-psk",
            "Sets the device's factory bootstrap credential (PSK identity and key)")
        .access(Access.WRITE)
        .body(BootstrapPsk.class)
        .answers(204, null)
        .run(
            (Api.Call<BootstrapPsk> c) -> {
              String endpoint = c.path("endpoint");
              byte[] psk = HexFormat.of().parseHex(c.body().bsPsk());
              try {
                km.admin()
                    .setBootstrapPsk(
                        endpoint, identity(endpoint, c.body().bsPskIdentity()), psk, c.actor());
              } catch (KeyManagerException e) {
                throw field(e);
              } finally {
                Arrays.fill(psk, (byte) 0);
              }
              return Reply.noContent();
            });
    api.post(
            "/devices/{endpoint}/bs-rotation",
            "Writes a new factory credential at the device's next bootstrap")
        .access(Access.WRITE)
        .answers(202, Rotation.class)
        .run(
            c -> {
              km.admin().rotateBootstrapPsk(c.path("endpoint"), c.actor());
              return rotating(
                  c.path("endpoint"),
                  "a new factory credential is written at the device's next bootstrap");
            });
    api.post(
            "/devices/{endpoint}/dm-rotation", "Writes a new DM PSK at the device's next bootstrap")
        .access(Access.WRITE)
        .answers(202, Rotation.class)
        .run(
            c -> {
              km.admin().requestDmRotation(c.path("endpoint"), c.actor());
              return rotating(
                  c.path("endpoint"), "a new DM PSK is written at the device's next bootstrap");
            });
  }

  /** {@code POST /devices} with {@code bsPsk}: a device with a factory bootstrap credential. */
  Device create(NewDevice in, String actor) {
    if (in.dmPsk() != null || in.dmPskIdentity() != null) {
      throw ApiException.badRequest(
          "bsPsk",
          "a device with a factory bootstrap credential gets its DM PSK from the bootstrap"
              + " server: leave out dmPsk and dmPskIdentity");
    }
    byte[] psk = HexFormat.of().parseHex(in.bsPsk());
    try {
      return km.admin()
          .addBootstrapDevice(
              in.endpoint(), identity(in.endpoint(), in.bsPskIdentity()), psk, actor);
    } catch (KeyManagerException e) {
      throw field(e);
    } finally {
      Arrays.fill(psk, (byte) 0);
    }
  }

  /** The {@code bootstrap} member of a device's answer. */
  BootstrapState status(String endpoint) {
    return km.admin()
        .bootstrapStatus(endpoint)
        .map(
            (BootstrapStatus s) ->
                new BootstrapState(
                    s.bsPskIdentity(),
                    s.bootstrappedAt(),
                    s.dmPskVersion(),
                    s.pendingSince(),
                    s.rotationRequestedAt(),
                    s.bsPskVersion(),
                    s.newBsPskIdentity()))
        .orElse(new BootstrapState(null, null, null, null, null, null, null));
  }

  /**
   * 202: the DM server holding the registration hears of the rotation through the invalidation feed
   * and asks the device to bootstrap again.
   */
  private Reply rotating(String endpoint, String what) {
    boolean online = dm.isRegistered(endpoint);
    return Reply.accepted(
        new Rotation(
            endpoint,
            online,
            what
                + (online
                    ? "; the device is asked to bootstrap again now"
                    : "; the device is asked to bootstrap again when it next registers")));
  }

  private static String identity(String endpoint, String given) {
    return given == null || given.isBlank() ? endpoint : given;
  }

  private static RuntimeException field(KeyManagerException e) {
    if (e.kind() == KeyManagerException.Kind.INVALID) {
      return ApiException.badRequest(
          e.getMessage().contains("PSK identity")
              ? "bsPskIdentity"
              : e.getMessage().contains("PSK") ? "bsPsk" : "endpoint",
          e.getMessage());
    }
    return e;
  }
}
