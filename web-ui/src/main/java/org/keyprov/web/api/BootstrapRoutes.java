package org.keyprov.web.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import org.keyprov.keys.BootstrapStatus;
import org.keyprov.keys.Device;
import org.keyprov.keys.KeyManagerException;
import org.keyprov.web.api.ApiHandler.Answer;
import org.keyprov.web.api.ApiHandler.Call;

/**
 * The bootstrap side of a device in the operator API: a factory bootstrap credential, the DM
 * credential's state, and DM PSK rotation through the bootstrap server.
 */
final class BootstrapRoutes {
  private final ApiHandler api;

  BootstrapRoutes(ApiHandler api) {
    this.api = api;
  }

  /** {@code POST /devices} with {@code bsPsk}: a device with a factory bootstrap credential. */
  Device create(String endpoint, JsonNode in, String actor) {
    if (ApiHandler.text(in, "dmPsk", false) != null
        || ApiHandler.text(in, "dmPskIdentity", false) != null) {
      throw ApiException.badRequest(
          "bsPsk",
          "a device with a factory bootstrap credential gets its DM PSK from the bootstrap"
              + " server: leave out dmPsk and dmPskIdentity");
    }
    String identity = api.nonBlank(ApiHandler.text(in, "bsPskIdentity", false)).orElse(endpoint);
    byte[] psk = key(in);
    try {
      return api.km.admin().addBootstrapDevice(endpoint, identity, psk, actor);
    } catch (KeyManagerException e) {
      throw field(e);
    } finally {
      java.util.Arrays.fill(psk, (byte) 0);
    }
  }

  /** The routes under {@code /devices/{endpoint}/}, or null if {@code p} is none of them. */
  Answer route(Call c, String endpoint, List<String> p, String m) {
    if (p.size() == 3 && p.get(2).equals("bootstrap-psk") && m.equals("POST")) {
      JsonNode in = api.body(c.body());
      String identity = api.nonBlank(ApiHandler.text(in, "bsPskIdentity", false)).orElse(endpoint);
      byte[] psk = key(in);
      try {
        api.km.admin().setBootstrapPsk(endpoint, identity, psk, c.actor());
      } catch (KeyManagerException e) {
        throw field(e);
      } finally {
        java.util.Arrays.fill(psk, (byte) 0);
      }
      return new Answer(204, null, null);
    }
    if (p.size() == 3 && p.get(2).equals("bs-rotation") && m.equals("POST")) {
      api.km.admin().rotateBootstrapPsk(endpoint, c.actor());
      return rotating(
          endpoint, "a new factory credential is written at the device's next bootstrap");
    }
    if (p.size() == 3 && p.get(2).equals("dm-rotation") && m.equals("POST")) {
      api.km.admin().requestDmRotation(endpoint, c.actor());
      return rotating(endpoint, "a new DM PSK is written at the device's next bootstrap");
    }
    return null;
  }

  /**
   * 202: the DM server holding the registration hears of the rotation through the invalidation feed
   * and asks the device to bootstrap again.
   */
  private Answer rotating(String endpoint, String what) {
    boolean online = api.dm.isRegistered(endpoint);
    return api.answer(
        202,
        api.json
            .createObjectNode()
            .put("endpoint", endpoint)
            .put("online", online)
            .put(
                "message",
                what
                    + (online
                        ? "; the device is asked to bootstrap again now"
                        : "; the device is asked to bootstrap again when it next registers")));
  }

  /** The {@code bootstrap} member of a device's answer. */
  ObjectNode status(String endpoint) {
    ObjectNode out = api.json.createObjectNode();
    api.km
        .admin()
        .bootstrapStatus(endpoint)
        .ifPresent(
            (BootstrapStatus s) ->
                out.put("bsPskIdentity", s.bsPskIdentity())
                    .put("bootstrappedAt", text(s.bootstrappedAt()))
                    .put("dmPskVersion", s.dmPskVersion())
                    .put("newDmPskIssuedAt", text(s.pendingSince()))
                    .put("rotationRequestedAt", text(s.rotationRequestedAt()))
                    .put("bsPskVersion", s.bsPskVersion())
                    .put("newBsPskIdentity", s.newBsPskIdentity()));
    return out;
  }

  private static String text(Instant t) {
    return t == null ? null : t.toString();
  }

  private static byte[] key(JsonNode in) {
    String hex = ApiHandler.text(in, "bsPsk", true);
    if (!hex.matches("([0-9a-fA-F]{2})+")) {
      throw ApiException.badRequest("bsPsk", "bsPsk must be hex, 16 to 64 bytes");
    }
    return HexFormat.of().parseHex(hex);
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
