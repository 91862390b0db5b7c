package org.keyprov.client.object;

import java.util.Collection;
import org.eclipse.leshan.client.resource.BaseInstanceEnablerFactory;
import org.eclipse.leshan.client.resource.LwM2mInstanceEnabler;
import org.eclipse.leshan.core.model.ObjectModel;

/** Leshan's instance factory for objects whose instances are made with their id and model. */
final class InstanceFactory extends BaseInstanceEnablerFactory {
  /** Makes the instance {@code id} of {@code model}'s object. */
  interface Maker {
    LwM2mInstanceEnabler make(int id, ObjectModel model);
  }

  private final Maker maker;

  InstanceFactory(Maker maker) {
    this.maker = maker;
  }

  @Override
  public LwM2mInstanceEnabler create() {
    throw new UnsupportedOperationException("created with an id");
  }

  @Override
  public LwM2mInstanceEnabler create(
      ObjectModel model, Integer id, Collection<Integer> alreadyUsedIdentifier) {
    return maker.make(id != null ? id : generateNewInstanceId(alreadyUsedIdentifier), model);
  }
}
