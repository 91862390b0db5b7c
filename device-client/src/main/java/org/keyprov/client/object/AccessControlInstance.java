package org.keyprov.client.object;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.eclipse.leshan.client.resource.BaseInstanceEnabler;
import org.eclipse.leshan.client.servers.LwM2mServer;
import org.eclipse.leshan.core.model.ObjectModel;
import org.eclipse.leshan.core.node.LwM2mMultipleResource;
import org.eclipse.leshan.core.node.LwM2mResource;
import org.eclipse.leshan.core.node.LwM2mResourceInstance;
import org.eclipse.leshan.core.response.ReadResponse;
import org.eclipse.leshan.core.response.WriteResponse;

/**
 * An Access Control (object 2) instance in Leshan's object tree. The bootstrap server writes every
 * resource; afterwards only the instance's Access Control Owner may change its ACL or owner (LwM2M
 * 1.1 §E.3). Each change is kept by {@link AccessControl}.
 */
final class AccessControlInstance extends BaseInstanceEnabler {
  private static final int OBJECT_ID = 0;
  private static final int INSTANCE_ID = 1;
  private static final int ACL = 2;
  private static final int OWNER = 3;

  private final AccessControl owner;
  private int objectId;
  private int objectInstanceId;
  private final Map<Integer, Long> rights = new HashMap<>();
  private int aclOwner;

  AccessControlInstance(int id, AccessControl owner) {
    super(id);
    this.owner = owner;
  }

  AccessControlInstance(int id, AclEntry entry, AccessControl owner) {
    this(id, owner);
    this.objectId = entry.objectId();
    this.objectInstanceId = entry.objectInstanceId();
    this.rights.putAll(entry.rights());
    this.aclOwner = entry.owner();
  }

  synchronized AclEntry entry() {
    return new AclEntry(objectId, objectInstanceId, rights, aclOwner);
  }

  @Override
  public synchronized ReadResponse read(LwM2mServer server, int resourceId) {
    return switch (resourceId) {
      case OBJECT_ID -> ReadResponse.success(OBJECT_ID, (long) objectId);
      case INSTANCE_ID -> ReadResponse.success(INSTANCE_ID, (long) objectInstanceId);
      case ACL -> ReadResponse.success(LwM2mMultipleResource.newIntegerResource(ACL, rights));
      case OWNER -> ReadResponse.success(OWNER, (long) aclOwner);
      default -> super.read(server, resourceId);
    };
  }

  @Override
  public WriteResponse write(
      LwM2mServer server, boolean replace, int resourceId, LwM2mResource value) {
    synchronized (this) {
      boolean setUp = server.isSystem() || server.isLwm2mBootstrapServer();
      if (!setUp && (server.getId() == null || server.getId() != aclOwner)) {
        return WriteResponse.unauthorized(); // only the Access Control Owner may change it
      }
      switch (resourceId) {
        case OBJECT_ID -> objectId = ((Long) value.getValue()).intValue();
        case INSTANCE_ID -> objectInstanceId = ((Long) value.getValue()).intValue();
        case ACL -> {
          if (replace) {
            rights.clear();
          }
          for (Map.Entry<Integer, LwM2mResourceInstance> e : value.getInstances().entrySet()) {
            rights.put(e.getKey(), (Long) e.getValue().getValue());
          }
        }
        case OWNER -> aclOwner = ((Long) value.getValue()).intValue();
        default -> {
          return super.write(server, replace, resourceId, value);
        }
      }
    }
    owner.changed(this);
    return WriteResponse.success();
  }

  @Override
  public void onDelete(LwM2mServer server) {
    owner.removed(this);
  }

  @Override
  public List<Integer> getAvailableResourceIds(ObjectModel model) {
    return List.of(OBJECT_ID, INSTANCE_ID, ACL, OWNER);
  }
}
