package io.github.vmlifecycle.spi;

import io.github.vmlifecycle.OperationSupersededException;
import io.github.vmlifecycle.StoreException;
import io.github.vmlifecycle.internal.MapJournal;
import java.util.Map;
import java.util.Optional;

/**
 * A driver's write-ahead notes for one instance: what a multi-step hypervisor operation is about to
 * change and must be able to finish or undo after the managing process dies (the devices a suspend
 * detaches, the files a rescue creates). The engine keeps the notes in the instance's stored record
 * ({@code Instance.journal()}), so they are durable before {@link #put} returns, and hands the same
 * notes to the driver again in later operations and in recovery.
 *
 * <p>Keys are short names of lower-case letters, digits, dots and dashes; values are any text. Notes
 * stay until the driver removes them. Implementations are thread-safe.
 */
public interface OperationJournal {

  /**
   * Stores a note durably, replacing any note with the same key; returns once it is stored.
   *
   * @param key the note's name
   * @param value the note
   * @throws IllegalArgumentException if the key is not a short name of {@code [a-z0-9.-]}
   * @throws StoreException if the note cannot be stored (the driver must then change nothing more)
   * @throws OperationSupersededException if the instance's record was taken over meanwhile
   */
  void put(String key, String value);

  /**
   * Removes a note durably; nothing happens when there is none.
   *
   * @param key the note's name
   * @throws StoreException if the change cannot be stored
   * @throws OperationSupersededException if the instance's record was taken over meanwhile
   */
  void remove(String key);

  /**
   * Reads one note.
   *
   * @param key the note's name
   * @return the note, or empty when there is none
   */
  Optional<String> get(String key);

  /**
   * Returns every note.
   *
   * @return an immutable snapshot, keys in order
   */
  Map<String, String> entries();

  /**
   * Returns a journal held in memory only, for calling a driver without the engine (tests, tools).
   *
   * @return a new, empty journal
   */
  static OperationJournal inMemory() {
    return new MapJournal();
  }

  /**
   * Checks a note's key.
   *
   * @param key the key
   * @return the key
   * @throws IllegalArgumentException if the key is not 1 to 64 characters of {@code [a-z0-9.-]}
   */
  static String checkKey(String key) {
    if (key == null || key.isEmpty() || key.length() > 64 || !key.chars().allMatch(
        c -> (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-')) {
      throw new IllegalArgumentException("A journal key must be 1 to 64 characters of [a-z0-9.-], got: " + key);
    }
    return key;
  }
}
