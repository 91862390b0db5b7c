package org.keyprov.web.api;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import org.keyprov.keys.Device;
import org.keyprov.keys.DeviceOrder;
import org.keyprov.keys.DmPsk;
import org.keyprov.keys.KeyManager;
import org.keyprov.keys.KeyManagerException;
import org.keyprov.keys.ProvisioningState;
import org.keyprov.server.DeviceDirectory;
import org.keyprov.web.api.Api.Access;
import org.keyprov.web.api.Bodies.NewAssignment;
import org.keyprov.web.api.Bodies.NewDevice;
import org.keyprov.web.api.Bodies.Reprovision;
import org.keyprov.web.api.Views.AssignmentDetail;
import org.keyprov.web.api.Views.AssignmentState;
import org.keyprov.web.api.Views.CreatedDevice;
import org.keyprov.web.api.Views.DeviceDetail;
import org.keyprov.web.api.Views.DeviceRow;
import org.keyprov.web.api.Views.DmPskChanged;
import org.keyprov.web.api.Views.ImportError;
import org.keyprov.web.api.Views.ImportResult;
import org.keyprov.web.api.Views.Page;
import org.keyprov.web.api.Views.Registration;
import org.keyprov.web.api.Views.Revoked;

/** Devices, their assignments to Enablers and their DM PSK, in the operator API. */
final class DeviceRoutes {
  private final KeyManager km;
  private final DeviceDirectory dm;
  private final BootstrapRoutes bootstrap;

  DeviceRoutes(KeyManager km, DeviceDirectory dm, BootstrapRoutes bootstrap) {
    this.km = km;
    this.dm = dm;
    this.bootstrap = bootstrap;
  }

  static String location(String endpoint) {
    return "/api/v1/devices/"
        + java.net.URLEncoder.encode(endpoint, java.nio.charset.StandardCharsets.UTF_8)
            .replace("+", "%20");
  }

  void register(Api api) {
    api.tag("devices");
    api.get("/devices", "Devices, a page at a time (keyset paging: pass next as after)")
        .query("search", "string", "part of the endpoint name or DM PSK identity")
        .query("state", "string", "only devices with an assignment in this state")
        .query("enabler", "string", "only devices assigned to this Enabler FQDN")
        .query("sort", "string", "endpoint (default), created; a leading - reverses it")
        .query("after", "string", "the next of the previous page")
        .query("limit", "integer", "1 to 500, default 50")
        .answers(new Types.Of(Page.class, DeviceRow.class))
        .run(this::list);
    api.post("/devices", "Adds a device (its DM PSK generated and shown once unless given)")
        .access(Access.WRITE)
        .body(NewDevice.class)
        .answers(201, CreatedDevice.class)
        .run(this::create);
    api.post("/devices/import", "Imports devices from CSV (one job: all or the valid rows)")
        .access(Access.WRITE)
        .textBody("text/csv")
        .query("mode", "string", "all (default: nothing if a row is bad) or valid")
        .answers(ImportResult.class)
        .run(this::importCsv);
    api.post(
            "/devices/bulk",
            "Re-provisions, revokes the keys of, or deletes many devices, each on its own")
        .access(Access.WRITE)
        .body(Bodies.Bulk.class)
        .answers(Views.BulkResult.class)
        .run(this::bulk);
    api.get("/devices/{endpoint}", "One device: registration, assignments, bootstrap state")
        .answers(DeviceDetail.class)
        .run(c -> detail(c.path("endpoint")));
    api.delete("/devices/{endpoint}", "Deletes a device, its keys and assignments")
        .access(Access.WRITE)
        .answers(204, null)
        .run(
            c -> {
              km.admin().deleteDevice(c.path("endpoint"), c.actor());
              return Reply.noContent();
            });
    api.post("/devices/{endpoint}/assignments", "Assigns the device to an Enabler")
        .access(Access.WRITE)
        .body(NewAssignment.class)
        .answers(201, null)
        .run(this::assign);
    api.delete(
            "/devices/{endpoint}/assignments/{enabler}",
            "Unassigns the device from an Enabler (its keys for it are revoked)")
        .access(Access.WRITE)
        .answers(204, null)
        .run(
            c -> {
              km.admin().unassign(c.path("endpoint"), c.path("enabler"), c.actor());
              return Reply.noContent();
            });
    api.post(
            "/devices/{endpoint}/assignments/{enabler}/reprovision",
            "Provisions the assignment again now")
        .access(Access.WRITE)
        .optionalBody(Reprovision.class)
        .answers(202, null)
        .run(
            (Api.Call<Reprovision> c) -> {
              String endpoint = c.path("endpoint");
              km.ledger()
                  .reprovision(
                      endpoint,
                      c.path("enabler"),
                      Boolean.TRUE.equals(c.body().overwriteSim()),
                      c.actor());
              dm.provisionNow(endpoint);
              return new Reply(202, null, null, null);
            });
    api.post(
            "/devices/{endpoint}/assignments/{enabler}/revoke",
            "Revokes the device's keys for an Enabler")
        .access(Access.WRITE)
        .answers(Revoked.class)
        .run(
            c ->
                new Revoked(
                    km.admin().revokeKeys(c.path("endpoint"), c.path("enabler"), c.actor())));
    api.post("/devices/{endpoint}/dm-psk", "Replaces the DM PSK with a new one, shown once")
        .access(Access.WRITE)
        .answers(DmPskChanged.class)
        .run(
            c -> {
              DmPsk changed = km.admin().changeDmPsk(c.path("endpoint"), c.actor());
              // shown once, for flashing the device; never stored in clear or returned again
              byte[] key = changed.key();
              try {
                return new DmPskChanged(
                    c.path("endpoint"), changed.identity(), HexFormat.of().formatHex(key));
              } finally {
                Arrays.fill(key, (byte) 0);
              }
            });
  }

  private Views.BulkResult bulk(Api.Call<Bodies.Bulk> c) {
    String action = c.body().action();
    int done = 0;
    List<Views.BulkFailure> failed = new java.util.ArrayList<>();
    for (String endpoint : new java.util.LinkedHashSet<>(c.body().endpoints())) {
      try {
        if (!action.equals("delete") && km.admin().device(endpoint).isEmpty()) {
          throw new KeyManagerException(
              KeyManagerException.Kind.NOT_FOUND, "no device " + endpoint);
        }
        switch (action) {
          case "delete" -> km.admin().deleteDevice(endpoint, c.actor());
          case "revoke" -> {
            for (var a : km.ledger().assignments(endpoint)) {
              km.admin().revokeKeys(endpoint, a.nafFqdn(), c.actor());
            }
          }
          default -> {
            for (var a : km.ledger().assignments(endpoint)) {
              km.ledger().reprovision(endpoint, a.nafFqdn(), false, c.actor());
            }
            dm.provisionNow(endpoint);
          }
        }
        done++;
      } catch (KeyManagerException e) {
        failed.add(new Views.BulkFailure(endpoint, e.getMessage()));
      }
    }
    return new Views.BulkResult(action, done, failed);
  }

  private Page<DeviceRow> list(Api.Call<Void> c) {
    int limit = Routes.intParam(c, "limit", 50, 1, 500);
    String stateName = c.query("state", "");
    ProvisioningState state = null;
    if (!stateName.isEmpty()) {
      try {
        state = ProvisioningState.valueOf(stateName.toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw ApiException.badRequest(
            "state",
            "state is one of "
                + Arrays.stream(ProvisioningState.values())
                    .map(Views::lower)
                    .collect(Collectors.joining(", ")));
      }
    }
    String enabler = c.query("enabler", "");
    DeviceOrder order;
    try {
      order = DeviceOrder.parse(c.query("sort", ""));
    } catch (IllegalArgumentException e) {
      throw ApiException.badRequest("sort", e.getMessage());
    }
    List<Device> page;
    try {
      page =
          km.admin()
              .devicePage(
                  c.query("search", ""),
                  state,
                  enabler.isEmpty() ? null : enabler,
                  order,
                  c.query("after", ""),
                  limit + 1);
    } catch (IllegalArgumentException e) {
      throw ApiException.badRequest("after", e.getMessage());
    }
    List<Device> shown = page.subList(0, Math.min(limit, page.size()));
    var assignments = km.ledger().assignments(shown.stream().map(Device::endpoint).toList());
    List<DeviceRow> rows =
        shown.stream()
            .map(
                d ->
                    new DeviceRow(
                        d.endpoint(),
                        d.impi(),
                        d.dmPskIdentity(),
                        d.createdAt(),
                        assignments.getOrDefault(d.endpoint(), List.of()).stream()
                            .map(a -> new AssignmentState(a.nafFqdn(), Views.lower(a.state())))
                            .toList(),
                        dm.isRegistered(d.endpoint())))
            .toList();
    return new Page<>(rows, page.size() > limit ? order.cursor(page.get(limit - 1)) : null);
  }

  private Reply create(Api.Call<NewDevice> c) {
    NewDevice in = c.body();
    String endpoint = in.endpoint();
    if (in.bsPsk() != null) {
      Device d = bootstrap.create(in, c.actor());
      return Reply.created(location(endpoint), CreatedDevice.of(d, null));
    }
    String identity =
        in.dmPskIdentity() == null || in.dmPskIdentity().isBlank() ? endpoint : in.dmPskIdentity();
    Device d;
    DmPsk generated = null;
    try {
      if (in.dmPsk() == null) {
        generated = km.admin().addDeviceWithNewPsk(endpoint, identity, c.actor());
        d = km.admin().device(endpoint).orElseThrow();
      } else {
        byte[] psk = HexFormat.of().parseHex(in.dmPsk());
        try {
          d = km.admin().addDevice(endpoint, identity, psk, c.actor());
        } finally {
          Arrays.fill(psk, (byte) 0);
        }
      }
    } catch (KeyManagerException e) {
      if (e.kind() == KeyManagerException.Kind.INVALID) {
        throw ApiException.badRequest(
            e.getMessage().contains("PSK identity")
                ? "dmPskIdentity"
                : e.getMessage().contains("PSK") ? "dmPsk" : "endpoint",
            e.getMessage());
      }
      throw e;
    }
    String shownOnce = null;
    if (generated != null) {
      // shown once, for flashing the device; never stored in clear or returned again
      byte[] key = generated.key();
      shownOnce = HexFormat.of().formatHex(key);
      Arrays.fill(key, (byte) 0);
    }
    return Reply.created(location(endpoint), CreatedDevice.of(d, shownOnce));
  }

  /** Whether the import's {@code mode} is {@code all}; a bad one answers 400. */
  static boolean importMode(Api.Call<?> c) {
    String mode = c.query("mode", "all");
    if (!mode.equals("all") && !mode.equals("valid")) {
      throw ApiException.badRequest(
          "mode",
          "mode is all (nothing imported if any row is bad) or valid (import the good rows)");
    }
    return mode.equals("all");
  }

  private Object importCsv(Api.Call<String> c) {
    String mode = importMode(c) ? "all" : "valid";
    DeviceImport.Result result =
        DeviceImport.run(km.admin(), c.body(), mode.equals("all"), c.actor());
    ImportResult out =
        new ImportResult(
            result.imported(),
            mode,
            result.problems().stream().map(p -> new ImportError(p.line(), p.message())).toList());
    return Reply.status(mode.equals("all") && !result.problems().isEmpty() ? 400 : 200, out);
  }

  private DeviceDetail detail(String endpoint) {
    Device d =
        km.admin()
            .device(endpoint)
            .orElseThrow(() -> new ApiException(404, "not_found", null, "no device " + endpoint));
    return new DeviceDetail(
        d.endpoint(),
        d.impi(),
        d.dmPskIdentity(),
        d.createdAt(),
        dm.isRegistered(endpoint),
        dm.registrationInfo(endpoint).map(Registration::of).orElse(null),
        km.ledger().assignments(endpoint).stream().map(AssignmentDetail::of).toList(),
        bootstrap.status(endpoint));
  }

  private Reply assign(Api.Call<NewAssignment> c) {
    String endpoint = c.path("endpoint");
    km.admin().assign(endpoint, c.body().enabler(), c.actor());
    dm.provisionNow(endpoint);
    return new Reply(
        201,
        null,
        null,
        location(endpoint)
            + "/assignments/"
            + java.net.URLEncoder.encode(
                c.body().enabler(), java.nio.charset.StandardCharsets.UTF_8));
  }
}
