package io.github.vmlifecycle.internal.engine;

import io.github.vmlifecycle.ActionRecord;
import io.github.vmlifecycle.Instance;
import io.github.vmlifecycle.spi.InstanceStore;
import io.github.vmlifecycle.spi.StepObserver;
import java.util.List;
import java.util.Optional;

/**
 * An {@link InstanceStore} that reports a step before and after each write ({@code store.write},
 * {@code store.insert}, {@code store.action}), so that a {@link StepObserver} sees every durable
 * boundary of the engine's work. Thread-safe as the store it wraps.
 */
public final class ObservedStore implements InstanceStore {
  private final InstanceStore store;
  private final StepObserver steps;

  private ObservedStore(InstanceStore store, StepObserver steps) {
    this.store = store;
    this.steps = steps;
  }

  /** Returns {@code store} itself when {@code steps} is {@link StepObserver#NONE}, else a wrapper. */
  public static InstanceStore wrap(InstanceStore store, StepObserver steps) {
    return steps == StepObserver.NONE ? store : new ObservedStore(store, steps);
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
    steps.onStep(instance.id(), "store.insert.before");
    boolean inserted = store.insertIfAbsent(instance);
    steps.onStep(instance.id(), "store.insert.after");
    return inserted;
  }

  @Override
  public boolean compareAndSet(long expectedVersion, Instance updated) {
    steps.onStep(updated.id(), "store.write.before");
    boolean written = store.compareAndSet(expectedVersion, updated);
    steps.onStep(updated.id(), "store.write.after");
    return written;
  }

  @Override
  public void appendAction(ActionRecord action) {
    steps.onStep(action.instanceId(), "store.action.before");
    store.appendAction(action);
    steps.onStep(action.instanceId(), "store.action.after");
  }

  @Override
  public List<ActionRecord> actions(String instanceId) {
    return store.actions(instanceId);
  }

  @Override
  public List<ActionRecord> lastActions(String instanceId, int count) {
    return store.lastActions(instanceId, count);
  }

  @Override
  public List<ActionRecord> actionsSince(String instanceId, java.time.Instant since) {
    return store.actionsSince(instanceId, since);
  }

  @Override
  public List<io.github.vmlifecycle.StoreException> unreadableRecords() {
    return store.unreadableRecords();
  }
}
