package io.github.vmlifecycle.internal.store;

import io.github.vmlifecycle.ActionRecord;
import io.github.vmlifecycle.Instance;
import io.github.vmlifecycle.spi.InstanceStore;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * An {@link InstanceStore} in a concurrent map, optionally keeping only the newest entries of each
 * action log. Thread-safe, lock-free reads.
 */
public final class InMemoryInstanceStore implements InstanceStore {
  private final int maxActionsPerInstance;
  private final ConcurrentMap<String, Instance> instances = new ConcurrentHashMap<>();
  private final ConcurrentMap<String, String> idsByName = new ConcurrentHashMap<>();
  private final ConcurrentMap<String, ArrayDeque<ActionRecord>> actions = new ConcurrentHashMap<>();

  /** Creates a store with unbounded action logs. */
  public InMemoryInstanceStore() {
    this(Integer.MAX_VALUE);
  }

  /**
   * Creates a store that keeps the newest {@code maxActionsPerInstance} actions per instance.
   *
   * @param maxActionsPerInstance the cap, at least 1
   */
  public InMemoryInstanceStore(int maxActionsPerInstance) {
    this.maxActionsPerInstance = maxActionsPerInstance;
  }

  @Override
  public Optional<Instance> get(String id) {
    return Optional.ofNullable(instances.get(id));
  }

  @Override
  public Optional<Instance> findByName(String name) {
    String id = idsByName.get(name);
    return id == null ? Optional.empty() : get(id);
  }

  @Override
  public List<Instance> list() {
    return List.copyOf(instances.values());
  }

  @Override
  public boolean insertIfAbsent(Instance instance) {
    boolean inserted = instances.putIfAbsent(instance.id(), instance) == null;
    if (inserted) {
      idsByName.put(instance.name(), instance.id());
    }
    return inserted;
  }

  @Override
  public boolean compareAndSet(long expectedVersion, Instance updated) {
    Versions.checkNext(expectedVersion, updated);
    AtomicBoolean swapped = new AtomicBoolean();
    AtomicReference<String> oldName = new AtomicReference<>();
    instances.computeIfPresent(updated.id(), (id, current) -> {
      if (current.version() != expectedVersion) {
        return current;
      }
      swapped.set(true);
      if (!current.name().equals(updated.name())) {
        oldName.set(current.name());
      }
      return updated;
    });
    if (oldName.get() != null) {
      idsByName.remove(oldName.get(), updated.id());
      idsByName.put(updated.name(), updated.id());
    }
    return swapped.get();
  }

  @Override
  public void appendAction(ActionRecord action) {
    ArrayDeque<ActionRecord> log = actions.computeIfAbsent(action.instanceId(), id -> new ArrayDeque<>());
    synchronized (log) {
      if (log.size() == maxActionsPerInstance) {
        log.removeFirst();
      }
      log.addLast(action);
    }
  }

  @Override
  public List<ActionRecord> actions(String instanceId) {
    ArrayDeque<ActionRecord> log = actions.get(instanceId);
    if (log == null) {
      return List.of();
    }
    synchronized (log) {
      return List.copyOf(log);
    }
  }
}
