package org.keyprov.server.provisioning;

import static org.keyprov.models.EnablerSecurityObject.*;

import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.eclipse.leshan.core.node.LwM2mMultipleResource;
import org.eclipse.leshan.core.node.LwM2mNode;
import org.eclipse.leshan.core.node.LwM2mObject;
import org.eclipse.leshan.core.node.LwM2mObjectInstance;
import org.eclipse.leshan.core.node.LwM2mPath;
import org.eclipse.leshan.core.node.LwM2mResource;
import org.eclipse.leshan.core.node.LwM2mSingleResource;
import org.keyprov.keys.EnablerParameters;
import org.keyprov.keys.EnablerProfile;

/**
 * Maps between Key Manager values and instances of the Enabler Security Parameters object. Pure.
 */
public final class EnablerInstances {
  /** What the server needs to know of an instance already on the device. */
  record Existing(
      int instanceId, String nafFqdn, int source, Optional<String> lastConnectionResult) {}

  private EnablerInstances() {}

  /** The full instance to create or replace; carries the key, so never log it. */
  public static LwM2mObjectInstance toInstance(int instanceId, EnablerParameters p) {
    EnablerProfile e = p.enabler();
    Map<Integer, String> allowList = new LinkedHashMap<>();
    for (int i = 0; i < e.allowList().size(); i++) {
      allowList.put(i, e.allowList().get(i));
    }
    Map<Integer, Long> suites = new LinkedHashMap<>();
    for (int i = 0; i < e.cipherSuites().size(); i++) {
      suites.put(i, (long) e.cipherSuites().get(i));
    }
    List<LwM2mResource> resources = new ArrayList<>();
    resources.add(LwM2mSingleResource.newStringResource(ENABLER_URI, e.uri().toString()));
    resources.add(LwM2mSingleResource.newStringResource(NAF_FQDN, e.fqdn()));
    resources.add(
        LwM2mSingleResource.newBinaryResource(UA_SECURITY_PROTOCOL_ID, e.nafId().ua().toBytes()));
    resources.add(LwM2mSingleResource.newStringResource(PSK_IDENTITY, p.btid().value()));
    resources.add(LwM2mSingleResource.newBinaryResource(PSK_SECRET_KEY, p.key()));
    resources.add(LwM2mSingleResource.newDateResource(KEY_EXPIRY, Date.from(p.expiresAt())));
    resources.add(LwM2mMultipleResource.newStringResource(URL_ALLOW_LIST, allowList));
    resources.add(LwM2mMultipleResource.newIntegerResource(CIPHER_SUITES, suites));
    resources.add(LwM2mSingleResource.newIntegerResource(KEY_VERSION, p.keyVersion()));
    resources.add(LwM2mSingleResource.newIntegerResource(PROVISIONING_SOURCE, SOURCE_DM_SERVER));
    return new LwM2mObjectInstance(instanceId, resources);
  }

  /** The instances in a Read or Observe answer on the object; empty for any other node. */
  static List<Existing> parse(LwM2mNode node) {
    List<Existing> found = new ArrayList<>();
    if (node instanceof LwM2mObject object) {
      for (LwM2mObjectInstance instance : object.getInstances().values()) {
        found.add(existing(instance));
      }
    }
    return found;
  }

  /**
   * The instances of object 33001 in what a device sent (LwM2M Send): whole objects, instances, or
   * their resources one by one (keyprov's client sends resources 1, 10 and 11). Other objects are
   * left out.
   */
  static List<Existing> parseSent(Map<LwM2mPath, LwM2mNode> nodes) {
    Map<Integer, Map<Integer, LwM2mResource>> byInstance = new java.util.TreeMap<>();
    List<Existing> found = new ArrayList<>();
    nodes.forEach(
        (path, node) -> {
          if (path.isRoot() || path.getObjectId() != ID) {
            return;
          }
          if (node instanceof LwM2mObject) {
            found.addAll(parse(node));
          } else if (node instanceof LwM2mObjectInstance instance) {
            byInstance
                .computeIfAbsent(instance.getId(), i -> new java.util.HashMap<>())
                .putAll(instance.getResources());
          } else if (node instanceof LwM2mResource resource && path.isResource()) {
            byInstance
                .computeIfAbsent(path.getObjectInstanceId(), i -> new java.util.HashMap<>())
                .put(resource.getId(), resource);
          }
        });
    byInstance.forEach(
        (id, resources) -> found.add(existing(new LwM2mObjectInstance(id, resources.values()))));
    return found;
  }

  private static Existing existing(LwM2mObjectInstance instance) {
    return new Existing(
        instance.getId(),
        string(instance, NAF_FQDN).orElse(""),
        integer(instance, PROVISIONING_SOURCE).orElse(SOURCE_DM_SERVER),
        string(instance, LAST_CONNECTION_RESULT).filter(s -> !s.isEmpty()));
  }

  /** The lowest instance ID not in use. */
  static int freeInstanceId(List<Existing> existing) {
    int id = 0;
    while (true) {
      int candidate = id;
      if (existing.stream().noneMatch(e -> e.instanceId() == candidate)) {
        return candidate;
      }
      id++;
    }
  }

  private static Optional<String> string(LwM2mObjectInstance instance, int resourceId) {
    LwM2mResource r = instance.getResource(resourceId);
    return r != null && !r.isMultiInstances() && r.getValue() instanceof String s
        ? Optional.of(s)
        : Optional.empty();
  }

  private static Optional<Integer> integer(LwM2mObjectInstance instance, int resourceId) {
    LwM2mResource r = instance.getResource(resourceId);
    return r != null && !r.isMultiInstances() && r.getValue() instanceof Number n
        ? Optional.of(n.intValue())
        : Optional.empty();
  }
}
