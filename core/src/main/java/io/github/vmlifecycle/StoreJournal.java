package io.github.vmlifecycle;

import io.github.vmlifecycle.spi.InstanceStore;
import io.github.vmlifecycle.spi.OperationJournal;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The {@link OperationJournal} of one instance while the engine runs an operation or a recovery on
 * it: each change is a compare-and-set of the instance's record, so it is durable before it returns.
 * Thread-safe; the engine's execution lock keeps other writers of the engine away, and a writer in
 * another process makes the next change fail as superseded.
 */
final class StoreJournal implements OperationJournal {
  private final InstanceStore store;
  private final Clock clock;
  private final Operation operation;
  private Instance current;

  StoreJournal(InstanceStore store, Clock clock, Operation operation, Instance current) {
    this.store = store;
    this.clock = clock;
    this.operation = operation;
    this.current = current;
  }

  /** The instance's record as last written through this journal. */
  synchronized Instance current() {
    return current;
  }

  @Override
  public synchronized void put(String key, String value) {
    OperationJournal.checkKey(key);
    if (value == null) {
      throw new IllegalArgumentException("A journal note needs a value");
    }
    if (!value.equals(current.journal().get(key))) {
      write(b -> b.putJournal(key, value));
    }
  }

  @Override
  public synchronized void remove(String key) {
    OperationJournal.checkKey(key);
    if (current.journal().containsKey(key)) {
      write(b -> {
        Map<String, String> rest = new java.util.TreeMap<>(current.journal());
        rest.remove(key);
        b.journal(rest);
      });
    }
  }

  @Override
  public synchronized Optional<String> get(String key) {
    return Optional.ofNullable(current.journal().get(key));
  }

  @Override
  public synchronized Map<String, String> entries() {
    return current.journal();
  }

  private void write(Consumer<Instance.Builder> change) {
    Instance.Builder b = Instance.copyOf(current).version(current.version() + 1).updatedAt(clock.instant());
    change.accept(b);
    Instance next = b.build();
    if (!store.compareAndSet(current.version(), next)) {
      Instance now = store.get(current.id()).orElse(null);
      throw new OperationSupersededException(current.name(), operation, now == null
          ? "the instance is gone from the store" : "its record changed while the driver recorded a step");
    }
    current = next;
  }
}
