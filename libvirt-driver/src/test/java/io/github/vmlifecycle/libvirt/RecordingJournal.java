package io.github.vmlifecycle.libvirt;

import io.github.vmlifecycle.spi.OperationJournal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** An in-memory journal that also records every change, in order, as "put KEY" or "remove KEY". */
final class RecordingJournal implements OperationJournal {
  private final OperationJournal notes = OperationJournal.inMemory();
  final List<String> history = new ArrayList<>();

  @Override
  public synchronized void put(String key, String value) {
    notes.put(key, value);
    history.add("put " + key);
  }

  @Override
  public synchronized void remove(String key) {
    if (notes.get(key).isPresent()) {
      history.add("remove " + key);
    }
    notes.remove(key);
  }

  @Override
  public Optional<String> get(String key) {
    return notes.get(key);
  }

  @Override
  public Map<String, String> entries() {
    return notes.entries();
  }
}
