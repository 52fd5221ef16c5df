package io.github.vmlifecycle.cli;

import io.github.vmlifecycle.ActionRecord;
import io.github.vmlifecycle.Instance;
import io.github.vmlifecycle.spi.InstanceStore;
import java.util.List;
import java.util.Optional;

/** An {@link InstanceStore} that marks a {@link StepHook} step around each write. Thread-safe. */
final class SteppingStore implements InstanceStore {
  private final InstanceStore store;
  private final StepHook hook;

  SteppingStore(InstanceStore store, StepHook hook) {
    this.store = store;
    this.hook = hook;
  }

  @Override
  public Optional<Instance> get(String id) {
    return store.get(id);
  }

  @Override
  public Optional<Instance> findByName(String name) {
    return store.findByName(name);
  }

  @Override
  public List<Instance> list() {
    return store.list();
  }

  @Override
  public boolean insertIfAbsent(Instance instance) {
    hook.step("store.insert.before");
    boolean inserted = store.insertIfAbsent(instance);
    hook.step("store.insert.after");
    return inserted;
  }

  @Override
  public boolean compareAndSet(long expectedVersion, Instance updated) {
    hook.step("store.write.before");
    boolean written = store.compareAndSet(expectedVersion, updated);
    hook.step("store.write.after");
    return written;
  }

  @Override
  public void appendAction(ActionRecord action) {
    hook.step("store.action.before");
    store.appendAction(action);
    hook.step("store.action.after");
  }

  @Override
  public List<ActionRecord> actions(String instanceId) {
    return store.actions(instanceId);
  }
}
