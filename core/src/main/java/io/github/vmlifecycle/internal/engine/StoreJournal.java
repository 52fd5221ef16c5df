package io.github.vmlifecycle.internal.engine;

import io.github.vmlifecycle.Instance;
import io.github.vmlifecycle.spi.OperationJournal;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The {@link OperationJournal} of one instance while the engine runs an operation or a recovery on
 * it: each change is a compare-and-set of the instance's record, so it is durable before it returns.
 * Thread-safe; the engine's execution lock keeps other writers of the engine away, and a writer in
 * another process makes the next change fail as superseded.
 */
final class StoreJournal implements OperationJournal {
  private final EngineContext ctx;
  private final Function<String, RuntimeException> takenOver;
  private Instance current;

  /** A journal whose change fails with {@code takenOver(detail)} when another writer got there first. */
  StoreJournal(EngineContext ctx, Instance current, Function<String, RuntimeException> takenOver) {
    this.ctx = ctx;
    this.takenOver = takenOver;
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
        Map<String, String> rest = new TreeMap<>(current.journal());
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
    Instance.Builder b = NextRecord.after(current, ctx.clock.instant());
    change.accept(b);
    Instance next = b.build();
    if (!ctx.store.compareAndSet(current.version(), next)) {
      Instance now = ctx.store.get(current.id()).orElse(null);
      throw takenOver.apply(now == null
          ? "the instance is gone from the store" : "its record changed while the driver recorded a step");
    }
    current = next;
  }
}
