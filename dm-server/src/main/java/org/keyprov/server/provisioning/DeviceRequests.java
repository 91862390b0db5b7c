package org.keyprov.server.provisioning;

import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import org.keyprov.keys.EnablerParameters;
import org.keyprov.server.provisioning.EnablerInstances.Existing;

/**
 * The LwM2M conversation a provisioning pass has with a device, in keyprov's terms: no Leshan
 * types, so the pass is tested with a fake. Requests block the calling worker until the device
 * answers or the request times out.
 */
interface DeviceRequests {
  /**
   * A registered device as a pass sees it; {@code reportsBySend}: it registered saying it sends its
   * connection results (LwM2M Send), so it need not be observed.
   */
  record Device(
      boolean listening, boolean implementsObject, boolean listsInstances, boolean reportsBySend) {
    Device(boolean listening, boolean implementsObject, boolean listsInstances) {
      this(listening, implementsObject, listsInstances, false);
    }
  }

  /** A request's outcome: done, with a value, or why not in words fit for the operator. */
  record Answer<T>(T value, String failure) {
    static <T> Answer<T> done(T value) {
      return new Answer<>(value, null);
    }

    static <T> Answer<T> failed(String why) {
      return new Answer<>(null, why);
    }

    boolean ok() {
      return failure == null;
    }
  }

  /**
   * The device, if registered: whether it listens now (a sleeping queue-mode device does not),
   * implements object 33001, and lists instances of it in its object links.
   */
  Optional<Device> registered(String endpoint);

  /** Reads every instance of object 33001 on the device. */
  Answer<List<Existing>> readInstances(String endpoint) throws InterruptedException;

  /** Replaces instance {@code instanceId} with these parameters. */
  Answer<Void> replace(String endpoint, int instanceId, EnablerParameters parameters)
      throws InterruptedException;

  /** Creates instance {@code instanceId} with these parameters. */
  Answer<Void> create(String endpoint, int instanceId, EnablerParameters parameters)
      throws InterruptedException;

  /** Deletes instance {@code instanceId}. */
  Answer<Void> delete(String endpoint, int instanceId) throws InterruptedException;

  /** Whether object 33001 of the device is observed already. */
  boolean observed(String endpoint);

  /**
   * Starts observing object 33001; never blocks. The instances the first answer carries go to
   * {@code current}, or why it failed to {@code failed}; later notifications arrive through the
   * server's observation listeners.
   */
  void observe(String endpoint, Consumer<List<Existing>> current, Consumer<String> failed);
}
