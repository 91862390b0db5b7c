package org.keyprov.client.object;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.eclipse.leshan.client.resource.LwM2mInstanceEnabler;
import org.eclipse.leshan.client.resource.LwM2mInstanceEnablerFactory;
import org.eclipse.leshan.client.resource.LwM2mObjectEnabler;
import org.eclipse.leshan.client.resource.ObjectEnabler;
import org.eclipse.leshan.client.servers.LwM2mServer;
import org.eclipse.leshan.core.LwM2mId;
import org.eclipse.leshan.core.model.ObjectModel;
import org.eclipse.leshan.core.node.LwM2mPath;
import org.eclipse.leshan.core.request.ContentFormat;
import org.eclipse.leshan.core.request.CreateRequest;
import org.eclipse.leshan.core.request.DeleteRequest;
import org.eclipse.leshan.core.request.DiscoverRequest;
import org.eclipse.leshan.core.request.ExecuteRequest;
import org.eclipse.leshan.core.request.ObserveRequest;
import org.eclipse.leshan.core.request.ReadRequest;
import org.eclipse.leshan.core.request.WriteAttributesRequest;
import org.eclipse.leshan.core.request.WriteRequest;
import org.eclipse.leshan.core.response.CreateResponse;
import org.eclipse.leshan.core.response.DeleteResponse;
import org.eclipse.leshan.core.response.DiscoverResponse;
import org.eclipse.leshan.core.response.ExecuteResponse;
import org.eclipse.leshan.core.response.ObserveResponse;
import org.eclipse.leshan.core.response.ReadResponse;
import org.eclipse.leshan.core.response.WriteAttributesResponse;
import org.eclipse.leshan.core.response.WriteResponse;

/**
 * Leshan's object enabler for an object whose every operation is checked against the Access Control
 * object first: a server without the right gets 4.01 Unauthorized, whatever the operation and
 * however the resource is modelled. A server that creates an instance becomes the owner of a new
 * Access Control instance for it; deleting the instance deletes that one too.
 */
final class GuardedObjectEnabler extends ObjectEnabler {
  private final AccessControl access;

  GuardedObjectEnabler(
      int id,
      ObjectModel model,
      Map<Integer, LwM2mInstanceEnabler> instances,
      LwM2mInstanceEnablerFactory factory,
      ContentFormat format,
      AccessControl access) {
    super(id, model, instances, factory, format);
    this.access = access;
  }

  private boolean allows(LwM2mServer server, LwM2mPath path, long right) {
    if (path.isObject() || path.isRoot()) {
      if (!access.allows(server, getId(), AccessControl.OBJECT_LEVEL, right)) {
        return false;
      }
      for (int instance : getAvailableInstanceIds()) {
        if (!access.allows(server, getId(), instance, right)) {
          return false;
        }
      }
      return true;
    }
    return access.allows(server, getId(), path.getObjectInstanceId(), right);
  }

  @Override
  public synchronized ReadResponse read(LwM2mServer server, ReadRequest request) {
    return allows(server, request.getPath(), AccessControl.READ)
        ? super.read(server, request)
        : ReadResponse.unauthorized();
  }

  @Override
  public synchronized ObserveResponse observe(LwM2mServer server, ObserveRequest request) {
    return allows(server, request.getPath(), AccessControl.READ)
        ? super.observe(server, request)
        : ObserveResponse.unauthorized();
  }

  @Override
  public synchronized DiscoverResponse discover(LwM2mServer server, DiscoverRequest request) {
    return allows(server, request.getPath(), AccessControl.READ)
        ? super.discover(server, request)
        : DiscoverResponse.unauthorized();
  }

  @Override
  public synchronized WriteAttributesResponse writeAttributes(
      LwM2mServer server, WriteAttributesRequest request) {
    return allows(server, request.getPath(), AccessControl.READ)
        ? super.writeAttributes(server, request)
        : WriteAttributesResponse.unauthorized();
  }

  @Override
  public synchronized WriteResponse write(LwM2mServer server, WriteRequest request) {
    return allows(server, request.getPath(), AccessControl.WRITE)
        ? super.write(server, request)
        : WriteResponse.unauthorized();
  }

  @Override
  public synchronized ExecuteResponse execute(LwM2mServer server, ExecuteRequest request) {
    return allows(server, request.getPath(), AccessControl.EXECUTE)
        ? super.execute(server, request)
        : ExecuteResponse.unauthorized();
  }

  @Override
  public synchronized DeleteResponse delete(LwM2mServer server, DeleteRequest request) {
    if (!allows(server, request.getPath(), AccessControl.DELETE)) {
      return DeleteResponse.unauthorized();
    }
    DeleteResponse response = super.delete(server, request);
    if (response.isSuccess() && request.getPath().isObjectInstance()) {
      access
          .instanceOf(getId(), request.getPath().getObjectInstanceId())
          .ifPresent(
              acl -> accessControlObject().delete(LwM2mServer.SYSTEM, new DeleteRequest(2, acl)));
    }
    return response;
  }

  @Override
  public synchronized CreateResponse create(LwM2mServer server, CreateRequest request) {
    if (!access.allows(server, getId(), AccessControl.OBJECT_LEVEL, AccessControl.CREATE)) {
      return CreateResponse.unauthorized();
    }
    List<Integer> before = new ArrayList<>(getAvailableInstanceIds());
    CreateResponse response = super.create(server, request);
    if (response.isSuccess() && !server.isSystem() && server.getId() != null) {
      int owner = server.getId().intValue();
      for (int instance : getAvailableInstanceIds()) {
        if (!before.contains(instance) && access.instanceOf(getId(), instance).isEmpty()) {
          giveTo(instance, owner);
        }
      }
    }
    return response;
  }

  /** A new Access Control instance: {@code owner} alone may touch {@code instance}. */
  private void giveTo(int instance, int owner) {
    AccessControl.create(
        accessControlObject(), List.of(new AclEntry(getId(), instance, Map.of(), owner)));
  }

  private LwM2mObjectEnabler accessControlObject() {
    return getLwm2mClient().getObjectTree().getObjectEnabler(LwM2mId.ACCESS_CONTROL);
  }
}
