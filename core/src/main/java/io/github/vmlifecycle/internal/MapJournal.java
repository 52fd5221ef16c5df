package io.github.vmlifecycle.internal;

import java.util.Collections;
import java.util.TreeMap;
import io.github.vmlifecycle.spi.OperationJournal;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentSkipListMap;

/** An {@link OperationJournal} held in memory only. Thread-safe. */
public final class MapJournal implements OperationJournal {
  private final ConcurrentSkipListMap<String, String> notes = new ConcurrentSkipListMap<>();

  @Override
  public void put(String key, String value) {
    if (value == null) {
      throw new IllegalArgumentException("A journal note needs a value");
    }
    notes.put(OperationJournal.checkKey(key), value);
  }

  @Override
  public void remove(String key) {
    notes.remove(OperationJournal.checkKey(key));
  }

  @Override
  public Optional<String> get(String key) {
    return Optional.ofNullable(notes.get(key));
  }

  @Override
  public Map<String, String> entries() {
    return Collections.unmodifiableSortedMap(new TreeMap<>(notes));
  }
}
