package org.keyprov.client.object;

import static org.keyprov.models.EnablerSecurityObject.*;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.eclipse.leshan.client.resource.BaseInstanceEnabler;
import org.eclipse.leshan.client.servers.LwM2mServer;
import org.eclipse.leshan.core.model.ObjectModel;
import org.eclipse.leshan.core.model.ResourceModel.Type;
import org.eclipse.leshan.core.node.LwM2mObjectInstance;
import org.eclipse.leshan.core.node.LwM2mResource;
import org.eclipse.leshan.core.node.LwM2mResourceInstance;
import org.eclipse.leshan.core.request.argument.Arguments;
import org.eclipse.leshan.core.response.ExecuteResponse;
import org.eclipse.leshan.core.response.ReadResponse;
import org.eclipse.leshan.core.response.WriteResponse;

/**
 * One Enabler Security Parameters instance on the device. Writes honour LwM2M replace (the multiple
 * resources are replaced whole) versus partial update (resource instances are merged). The key is
 * write-only: Leshan answers 4.05 to a Read from its model, and this class returns 4.05 too. Every
 * completed change is handed to the {@link Owner} (persistence).
 */
final class EnablerSecurityInstance extends BaseInstanceEnabler {
  /** Hears completed changes; called outside the instance lock. */
  interface Owner {
    void changed(EnablerSecurityInstance instance);

    void deleted(EnablerSecurityInstance instance);
  }

  private final Owner owner;
  private EnablerSecurityState.Builder state;
  private Map<Integer, String> allowList = new TreeMap<>();
  private Map<Integer, Integer> cipherSuites = new TreeMap<>();
  private boolean inInstanceWrite;

  /** True while Leshan writes a new instance resource by resource, until {@link #created()}. */
  private boolean creating;

  EnablerSecurityInstance(int id, EnablerSecurityState initial, Owner owner) {
    super(id);
    this.owner = owner;
    this.state = initial.toBuilder().instanceId(id);
    for (int i = 0; i < initial.allowList().size(); i++) {
      allowList.put(i, initial.allowList().get(i));
    }
    for (int i = 0; i < initial.cipherSuites().size(); i++) {
      cipherSuites.put(i, initial.cipherSuites().get(i));
    }
  }

  /** Marks an instance made by the factory: changes are held back until {@link #created()}. */
  synchronized void creating() {
    creating = true;
  }

  /** Leshan added the instance: all of its resources are written. */
  void created() {
    synchronized (this) {
      if (!creating) {
        return;
      }
      creating = false;
    }
    owner.changed(this);
  }

  synchronized EnablerSecurityState snapshot() {
    return state
        .allowList(new ArrayList<>(allowList.values()))
        .cipherSuites(new ArrayList<>(cipherSuites.values()))
        .build();
  }

  /** Records the outcome of a connection and notifies observers of resource 10 and 11. */
  void connectionAttempted(String result, Instant at) {
    synchronized (this) {
      state.lastConnectionResult(result).lastConnectionTime(at);
    }
    owner.changed(this);
    if (getModel() != null) {
      // only when in a Leshan object tree (not for a SIM-only device): notify observers
      fireResourcesChange(
          getResourcePath(LAST_CONNECTION_RESULT), getResourcePath(LAST_CONNECTION_TIME));
    }
  }

  @Override
  public synchronized ReadResponse read(LwM2mServer server, int resourceId) {
    EnablerSecurityState s = snapshot();
    return switch (resourceId) {
      case ENABLER_URI -> ReadResponse.success(resourceId, s.enablerUri());
      case NAF_FQDN -> ReadResponse.success(resourceId, s.nafFqdn());
      case UA_SECURITY_PROTOCOL_ID -> ReadResponse.success(resourceId, s.uaSecurityProtocolId());
      case PSK_IDENTITY -> ReadResponse.success(resourceId, s.pskIdentity());
      case PSK_SECRET_KEY -> ReadResponse.methodNotAllowed();
      case KEY_EXPIRY -> ReadResponse.success(resourceId, Date.from(s.keyExpiry()));
      case URL_ALLOW_LIST ->
          ReadResponse.success(resourceId, new LinkedHashMap<>(allowList), Type.STRING);
      case CIPHER_SUITES -> {
        Map<Integer, Long> suites = new LinkedHashMap<>();
        cipherSuites.forEach((k, v) -> suites.put(k, v.longValue()));
        yield ReadResponse.success(resourceId, suites, Type.INTEGER);
      }
      case KEY_VERSION -> ReadResponse.success(resourceId, (long) s.keyVersion());
      case PROVISIONING_SOURCE -> ReadResponse.success(resourceId, (long) s.source());
      case LAST_CONNECTION_RESULT ->
          ReadResponse.success(resourceId, s.lastConnectionResult().orElse(""));
      case LAST_CONNECTION_TIME ->
          ReadResponse.success(resourceId, Date.from(s.lastConnectionTime().orElse(Instant.EPOCH)));
      default -> super.read(server, resourceId);
    };
  }

  @Override
  public WriteResponse write(LwM2mServer server, boolean replace, LwM2mObjectInstance value) {
    synchronized (this) {
      inInstanceWrite = true;
    }
    try {
      WriteResponse response = super.write(server, replace, value);
      if (!response.isSuccess()) {
        return response;
      }
    } finally {
      synchronized (this) {
        inInstanceWrite = false;
      }
    }
    owner.changed(this);
    return WriteResponse.success();
  }

  @Override
  public WriteResponse write(
      LwM2mServer server, boolean replace, int resourceId, LwM2mResource value) {
    WriteResponse response;
    boolean persist;
    synchronized (this) {
      response = apply(replace, resourceId, value);
      persist = response.isSuccess() && !inInstanceWrite && !creating;
    }
    if (persist) {
      owner.changed(this);
    }
    return response;
  }

  private WriteResponse apply(boolean replace, int resourceId, LwM2mResource value) {
    try {
      switch (resourceId) {
        case ENABLER_URI -> state.enablerUri((String) value.getValue());
        case NAF_FQDN -> state.nafFqdn((String) value.getValue());
        case UA_SECURITY_PROTOCOL_ID -> {
          byte[] ua = (byte[]) value.getValue();
          if (ua.length != 5) {
            return WriteResponse.badRequest("Ua security protocol id must be 5 bytes");
          }
          state.uaSecurityProtocolId(ua);
        }
        case PSK_IDENTITY -> state.pskIdentity((String) value.getValue());
        case PSK_SECRET_KEY -> {
          byte[] key = (byte[]) value.getValue();
          state.pskKey(key);
        }
        case KEY_EXPIRY -> state.keyExpiry(((Date) value.getValue()).toInstant());
        case URL_ALLOW_LIST -> allowList = merge(replace, allowList, value, v -> (String) v);
        case CIPHER_SUITES -> {
          Map<Integer, Integer> merged =
              merge(replace, cipherSuites, value, v -> ((Number) v).intValue());
          if (merged.values().stream().anyMatch(s -> s < 0 || s > 0xFFFF)) {
            return WriteResponse.badRequest("cipher suites are 2-octet codes (0..65535)");
          }
          cipherSuites = merged;
        }
        case KEY_VERSION -> state.keyVersion(((Number) value.getValue()).intValue());
        case PROVISIONING_SOURCE -> state.source(((Number) value.getValue()).intValue());
        default -> {
          return WriteResponse.notFound();
        }
      }
      return WriteResponse.success();
    } catch (ClassCastException e) {
      return WriteResponse.badRequest("resource " + resourceId + " has the wrong type");
    }
  }

  private static <T> Map<Integer, T> merge(
      boolean replace,
      Map<Integer, T> current,
      LwM2mResource value,
      java.util.function.Function<Object, T> convert) {
    Map<Integer, T> result = replace ? new TreeMap<>() : new TreeMap<>(current);
    if (value.isMultiInstances()) {
      for (LwM2mResourceInstance instance : value.getInstances().values()) {
        result.put(instance.getId(), convert.apply(instance.getValue()));
      }
    } else {
      result.put(0, convert.apply(value.getValue()));
    }
    return result;
  }

  @Override
  public WriteResponse write(
      LwM2mServer server,
      boolean addIfAbsent,
      int resourceId,
      int resourceInstanceId,
      LwM2mResourceInstance value) {
    if (resourceId != URL_ALLOW_LIST && resourceId != CIPHER_SUITES) {
      return WriteResponse.badRequest("resource " + resourceId + " has no instances");
    }
    return write(
        server,
        false,
        resourceId,
        org.eclipse.leshan.core.node.LwM2mMultipleResource.newResource(
            resourceId, java.util.Map.of(resourceInstanceId, value.getValue()), value.getType()));
  }

  @Override
  public synchronized void reset(int resourceId) {
    switch (resourceId) {
      case URL_ALLOW_LIST -> allowList = new TreeMap<>();
      case CIPHER_SUITES -> cipherSuites = new TreeMap<>();
      default -> {
        // single resources keep their value until written
      }
    }
  }

  @Override
  public ExecuteResponse execute(LwM2mServer server, int resourceId, Arguments arguments) {
    if (resourceId != INVALIDATE) {
      return super.execute(server, resourceId, arguments);
    }
    synchronized (this) {
      state.pskKey(new byte[0]);
    }
    owner.changed(this);
    return ExecuteResponse.success();
  }

  @Override
  public void onDelete(LwM2mServer server) {
    owner.deleted(this);
  }

  @Override
  public List<Integer> getAvailableResourceIds(ObjectModel model) {
    return new ArrayList<>(model.resources.keySet());
  }
}
