package org.keyprov.server.provisioning;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.keyprov.keys.EnablerParameters;
import org.keyprov.server.provisioning.EnablerInstances.Existing;

/**
 * A device without a network: what it holds, what it answers, and every request made of it, in
 * order ({@code "create 0 v1"}, {@code "replace 3 v2"}, {@code "read"}, {@code "observe"}, …).
 */
final class FakeDeviceRequests implements DeviceRequests {
  Optional<Device> device = Optional.of(new Device(true, true, false));
  final List<Existing> held = new ArrayList<>();
  final List<String> requests = new CopyOnWriteArrayList<>();

  /** Failures to answer with, one per write (create or replace), before writes succeed. */
  final Deque<String> writeFailures = new ArrayDeque<>();

  /** Failures to answer with, one per Observe, before Observes succeed. */
  final Deque<String> observeFailures = new ArrayDeque<>();

  boolean observed;

  @Override
  public Optional<Device> registered(String endpoint) {
    return device;
  }

  @Override
  public Answer<List<Existing>> readInstances(String endpoint) {
    requests.add("read");
    return Answer.done(List.copyOf(held));
  }

  @Override
  public Answer<Void> replace(String endpoint, int instanceId, EnablerParameters parameters) {
    requests.add("replace " + instanceId + " v" + parameters.keyVersion());
    return write();
  }

  @Override
  public Answer<Void> create(String endpoint, int instanceId, EnablerParameters parameters) {
    requests.add("create " + instanceId + " v" + parameters.keyVersion());
    return write();
  }

  private Answer<Void> write() {
    String failure = writeFailures.poll();
    return failure == null ? Answer.done(null) : Answer.failed(failure);
  }

  @Override
  public Answer<Void> delete(String endpoint, int instanceId) {
    requests.add("delete " + instanceId);
    held.removeIf(e -> e.instanceId() == instanceId);
    return Answer.done(null);
  }

  @Override
  public boolean observed(String endpoint) {
    return observed;
  }

  @Override
  public void observe(String endpoint, Consumer<List<Existing>> current, Consumer<String> failed) {
    requests.add("observe");
    String failure = observeFailures.poll();
    if (failure != null) {
      failed.accept(failure);
      return;
    }
    observed = true;
    current.accept(List.copyOf(held));
  }
}
