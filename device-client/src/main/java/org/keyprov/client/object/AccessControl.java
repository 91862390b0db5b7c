package org.keyprov.client.object;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentSkipListMap;
import org.eclipse.leshan.client.resource.LwM2mInstanceEnabler;
import org.eclipse.leshan.client.resource.ObjectsInitializer;
import org.eclipse.leshan.client.servers.LwM2mServer;
import org.eclipse.leshan.core.LwM2mId;

/**
 * The device's Access Control object (2), and the check it stands for: which LwM2M server may do
 * what to an object instance (LwM2M 1.1 §E.3). The Enabler Security Parameters object is guarded by
 * it ({@link GuardedObjectEnabler}): its instances belong to the Key Manager's DM server, and any
 * other server registered on the device gets 4.01 Unauthorized for every operation on them. Kept in
 * the {@link StateFile} across restarts.
 *
 * <p>The bootstrap server writes the instances; the device adds one, owned by the creating server,
 * for each instance a server creates, and removes it with the instance. Guarded instances without
 * an Access Control instance (a state file from before, a bootstrap server that wrote none) are
 * given one owned by the device's DM server.
 */
public final class AccessControl {
  /** Read, Observe, Discover, Write-Attributes. */
  public static final long READ = 1;

  public static final long WRITE = 2;
  public static final long EXECUTE = 4;
  public static final long DELETE = 8;

  /** Meaningful in an object-level instance ({@link #OBJECT_LEVEL}) only. */
  public static final long CREATE = 16;

  /** The object instance id of the Access Control instance that governs Create. */
  public static final int OBJECT_LEVEL = 65535;

  private final StateFile file;
  private final Map<Integer, AccessControlInstance> instances = new ConcurrentSkipListMap<>();

  public AccessControl(StateFile file) {
    this.file = file;
    List<AclEntry> stored = file.acls();
    for (int i = 0; i < stored.size(); i++) {
      instances.put(i, new AccessControlInstance(i, stored.get(i), this));
    }
  }

  /** Registers object 2, its stored instances and a factory for instances a bootstrap writes. */
  public void registerWith(ObjectsInitializer initializer) {
    initializer.setFactoryForObject(
        LwM2mId.ACCESS_CONTROL,
        new InstanceFactory(
            (instanceId, model) -> {
              AccessControlInstance instance = new AccessControlInstance(instanceId, this);
              instance.setModel(model);
              instances.put(instanceId, instance);
              return instance;
            }));
    if (!instances.isEmpty()) {
      initializer.setInstancesForObject(
          LwM2mId.ACCESS_CONTROL, instances.values().toArray(new LwM2mInstanceEnabler[0]));
    }
  }

  /**
   * Whether {@code server} may do {@code right} to {@code (objectId, instanceId)} ({@link
   * #OBJECT_LEVEL} for Create). The device itself and its bootstrap server always may.
   */
  public boolean allows(LwM2mServer server, int objectId, int instanceId, long right) {
    if (server.isSystem() || server.isLwm2mBootstrapServer()) {
      return true;
    }
    if (server.getId() == null) {
      return false;
    }
    int ssid = server.getId().intValue();
    Optional<AclEntry> entry = find(objectId, instanceId);
    if (entry.isEmpty()) {
      return false;
    }
    Long granted = entry.get().rights().get(ssid);
    if (granted == null && entry.get().owner() == ssid) {
      return true;
    }
    if (granted == null) {
      granted = entry.get().rights().get(0);
    }
    return granted != null && (granted & right) != 0;
  }

  /** The Access Control instances, as they are now. */
  public List<AclEntry> entries() {
    List<AclEntry> all = new ArrayList<>();
    instances.values().forEach(i -> all.add(i.entry()));
    return all;
  }

  private Optional<AclEntry> find(int objectId, int instanceId) {
    return entries().stream()
        .filter(e -> e.objectId() == objectId && e.objectInstanceId() == instanceId)
        .findFirst();
  }

  /**
   * The Access Control instances that would give {@code objectId} (its Create right) and each of
   * {@code instanceIds} to {@code owner}, where none says otherwise yet.
   */
  public List<AclEntry> missing(int objectId, Collection<Integer> instanceIds, int owner) {
    List<AclEntry> add = new ArrayList<>();
    if (find(objectId, OBJECT_LEVEL).isEmpty()) {
      // no entries: the owner has every right, Create included; no other server has any
      add.add(new AclEntry(objectId, OBJECT_LEVEL, Map.of(), owner));
    }
    for (int id : instanceIds) {
      if (find(objectId, id).isEmpty()) {
        add.add(new AclEntry(objectId, id, Map.of(), owner));
      }
    }
    return add;
  }

  /** Before the tree is built: adds instances for {@code entries} (see {@link #missing}). */
  public void add(List<AclEntry> entries) {
    for (AclEntry e : entries) {
      int id = 0;
      while (instances.containsKey(id)) {
        id++;
      }
      instances.put(id, new AccessControlInstance(id, e, this));
    }
    persist();
  }

  /** The Access Control instance governing {@code (objectId, instanceId)}, to delete it. */
  public Optional<Integer> instanceOf(int objectId, int instanceId) {
    return instances.entrySet().stream()
        .filter(
            e ->
                e.getValue().entry().objectId() == objectId
                    && e.getValue().entry().objectInstanceId() == instanceId)
        .map(Map.Entry::getKey)
        .findFirst();
  }

  /**
   * Adds {@code entries} to Leshan's object 2 once the object tree is built (see {@link #missing}),
   * as the device itself.
   */
  public static void create(
      org.eclipse.leshan.client.resource.LwM2mObjectEnabler accessControl, List<AclEntry> entries) {
    for (AclEntry e : entries) {
      int id = 0;
      while (accessControl.getAvailableInstanceIds().contains(id)) {
        id++;
      }
      List<org.eclipse.leshan.core.node.LwM2mResource> resources =
          List.of(
              org.eclipse.leshan.core.node.LwM2mSingleResource.newIntegerResource(0, e.objectId()),
              org.eclipse.leshan.core.node.LwM2mSingleResource.newIntegerResource(
                  1, e.objectInstanceId()),
              org.eclipse.leshan.core.node.LwM2mMultipleResource.newIntegerResource(2, e.rights()),
              org.eclipse.leshan.core.node.LwM2mSingleResource.newIntegerResource(3, e.owner()));
      accessControl.create(
          LwM2mServer.SYSTEM,
          new org.eclipse.leshan.core.request.CreateRequest(
              LwM2mId.ACCESS_CONTROL,
              new org.eclipse.leshan.core.node.LwM2mObjectInstance(id, resources)));
    }
  }

  void changed(AccessControlInstance instance) {
    instances.put(instance.getId(), instance);
    persist();
  }

  void removed(AccessControlInstance instance) {
    instances.remove(instance.getId());
    persist();
  }

  private void persist() {
    file.saveAcls(entries());
  }
}
