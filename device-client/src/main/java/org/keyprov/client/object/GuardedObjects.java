package org.keyprov.client.object;

import java.util.HashMap;
import java.util.Map;
import org.eclipse.leshan.client.resource.BaseInstanceEnablerFactory;
import org.eclipse.leshan.client.resource.LwM2mInstanceEnabler;
import org.eclipse.leshan.client.resource.LwM2mObjectEnabler;
import org.eclipse.leshan.client.resource.ObjectsInitializer;
import org.eclipse.leshan.core.model.LwM2mModel;
import org.eclipse.leshan.core.model.ObjectModel;

/**
 * Leshan's {@link ObjectsInitializer}, except that the objects named are guarded by the Access
 * Control object ({@link GuardedObjectEnabler}).
 */
public final class GuardedObjects extends ObjectsInitializer {
  private final AccessControl access;
  private final java.util.Set<Integer> guarded;

  public GuardedObjects(LwM2mModel model, AccessControl access, int... guarded) {
    super(model);
    this.access = access;
    this.guarded =
        java.util.Arrays.stream(guarded).boxed().collect(java.util.stream.Collectors.toSet());
  }

  @Override
  protected LwM2mObjectEnabler createNodeEnabler(ObjectModel objectModel) {
    if (!guarded.contains(objectModel.id)) {
      return super.createNodeEnabler(objectModel);
    }
    Map<Integer, LwM2mInstanceEnabler> instances = new HashMap<>();
    for (LwM2mInstanceEnabler instance : createInstances(objectModel)) {
      if (instance.getId() == null) {
        instance.setId(BaseInstanceEnablerFactory.generateNewInstanceId(instances.keySet()));
      }
      instance.setModel(objectModel);
      instances.put(instance.getId(), instance);
    }
    return new GuardedObjectEnabler(
        objectModel.id,
        objectModel,
        instances,
        getFactoryFor(objectModel),
        getContentFormat(objectModel.id),
        access);
  }
}
