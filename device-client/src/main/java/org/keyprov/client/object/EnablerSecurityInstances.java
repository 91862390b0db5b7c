package org.keyprov.client.object;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.eclipse.leshan.client.resource.LwM2mInstanceEnabler;
import org.eclipse.leshan.client.resource.LwM2mObjectEnabler;
import org.eclipse.leshan.client.resource.ObjectsInitializer;
import org.eclipse.leshan.client.resource.listener.ObjectListener;
import org.keyprov.models.EnablerSecurityObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The device's Enabler Security Parameters instances: handed to Leshan's object tree, persisted to
 * the {@link StateFile} after each completed change, reloaded at start.
 */
public final class EnablerSecurityInstances implements EnablerSecurityInstance.Owner {
  private static final Logger LOG = LoggerFactory.getLogger(EnablerSecurityInstances.class);

  private final StateFile file;
  private final Clock clock;
  private final Map<Integer, EnablerSecurityInstance> instances = new ConcurrentSkipListMap<>();
  private final List<Consumer<EnablerSecurityState>> listeners = new CopyOnWriteArrayList<>();
  private final List<java.util.function.IntConsumer> resultListeners = new CopyOnWriteArrayList<>();

  public EnablerSecurityInstances(StateFile file, Clock clock) {
    this.file = file;
    this.clock = clock;
    for (EnablerSecurityState s : file.load()) {
      instances.put(s.instanceId(), new EnablerSecurityInstance(s.instanceId(), s, this));
    }
  }

  /**
   * Adds or replaces the instance of {@code state}'s Enabler (same NAF FQDN) with {@code state},
   * before the object is handed to Leshan: how parameters read from a SIM enter the tree.
   */
  public void populate(EnablerSecurityState state) {
    int id =
        instances.values().stream()
            .filter(i -> i.snapshot().nafFqdn().equalsIgnoreCase(state.nafFqdn()))
            .map(EnablerSecurityInstance::getId)
            .findFirst()
            .orElseGet(
                () -> {
                  int free = 0;
                  while (instances.containsKey(free)) {
                    free++;
                  }
                  return free;
                });
    EnablerSecurityInstance instance =
        new EnablerSecurityInstance(id, state.toBuilder().instanceId(id).build(), this);
    changed(instance);
  }

  /** Registers the object, its stored instances and a factory for instances the server creates. */
  public void registerWith(ObjectsInitializer initializer) {
    initializer.setFactoryForObject(
        EnablerSecurityObject.ID,
        new InstanceFactory(
            (instanceId, model) -> {
              EnablerSecurityInstance instance =
                  new EnablerSecurityInstance(
                      instanceId, EnablerSecurityState.builder().build(), this);
              instance.setModel(model);
              instance.creating();
              instances.put(instanceId, instance);
              return instance;
            }));
    if (!instances.isEmpty()) {
      initializer.setInstancesForObject(
          EnablerSecurityObject.ID, instances.values().toArray(new LwM2mInstanceEnabler[0]));
    }
  }

  /**
   * Hooks the object enabler Leshan built, so instances the server creates are persisted and
   * announced once all their resources are written, never half-way.
   */
  public void attach(List<LwM2mObjectEnabler> enablers) {
    for (LwM2mObjectEnabler enabler : enablers) {
      if (enabler.getId() == EnablerSecurityObject.ID) {
        enabler.addListener(
            new ObjectListener() {
              @Override
              public void objectInstancesAdded(LwM2mObjectEnabler object, int... instanceIds) {
                for (int id : instanceIds) {
                  EnablerSecurityInstance instance = instances.get(id);
                  if (instance != null) {
                    instance.created();
                  }
                }
              }

              @Override
              public void objectInstancesRemoved(LwM2mObjectEnabler object, int... instanceIds) {}

              @Override
              public void resourceChanged(org.eclipse.leshan.core.node.LwM2mPath... paths) {}
            });
      }
    }
  }

  /** Called with each instance's new state after a completed change. */
  public void addListener(Consumer<EnablerSecurityState> listener) {
    listeners.add(listener);
  }

  public List<EnablerSecurityState> all() {
    List<EnablerSecurityState> states = new ArrayList<>();
    for (EnablerSecurityInstance i : instances.values()) {
      states.add(i.snapshot());
    }
    return states;
  }

  public Optional<EnablerSecurityState> byNafFqdn(String fqdn) {
    return all().stream().filter(s -> s.nafFqdn().equalsIgnoreCase(fqdn)).findFirst();
  }

  /**
   * Records a connection outcome on the instance; observers of the object are notified, then the
   * result listeners are told the instance.
   */
  public void connectionAttempted(int instanceId, String result) {
    EnablerSecurityInstance instance = instances.get(instanceId);
    if (instance != null) {
      instance.connectionAttempted(result, clock.instant());
      resultListeners.forEach(l -> l.accept(instanceId));
    }
  }

  /** Called with the instance id after each new connection result. */
  public void addResultListener(java.util.function.IntConsumer listener) {
    resultListeners.add(listener);
  }

  @Override
  public void changed(EnablerSecurityInstance instance) {
    instances.put(instance.getId(), instance);
    persist();
    EnablerSecurityState state = instance.snapshot();
    LOG.debug("Enabler parameters changed: {}", state);
    listeners.forEach(l -> l.accept(state));
  }

  @Override
  public void deleted(EnablerSecurityInstance instance) {
    instances.remove(instance.getId());
    persist();
  }

  private void persist() {
    file.save(all());
  }
}
