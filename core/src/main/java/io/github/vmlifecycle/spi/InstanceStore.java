package io.github.vmlifecycle.spi;

import io.github.vmlifecycle.ActionRecord;
import io.github.vmlifecycle.Instance;
import io.github.vmlifecycle.StoreException;
import java.util.List;
import java.util.Optional;

/**
 * Durable (or in-memory) storage of {@link Instance} records and their action logs, with
 * compare-and-set updates so that of two racing writers exactly one wins.
 *
 * <p>Every method may throw {@link StoreException} when the store cannot be read or written; a corrupt
 * record is reported, never silently skipped. Implementations must be thread-safe.
 */
public interface InstanceStore {

  /**
   * Reads one instance.
   *
   * @param id the instance id
   * @return the instance, or empty when the store has none with that id
   */
  Optional<Instance> get(String id);

  /**
   * Finds one instance by name.
   *
   * @param name the instance name
   * @return the instance, or empty when none has that name
   */
  default Optional<Instance> findByName(String name) {
    return list().stream().filter(i -> i.name().equals(name)).findFirst();
  }

  /**
   * Reads every instance.
   *
   * @return the instances, in no particular order
   */
  List<Instance> list();

  /**
   * Stores a new instance if none with its id exists.
   *
   * @param instance the instance to store
   * @return true if stored, false if an instance with that id already existed (nothing changed)
   */
  boolean insertIfAbsent(Instance instance);

  /**
   * Replaces an instance if its stored version still equals {@code expectedVersion}.
   *
   * @param expectedVersion the version the caller read
   * @param updated the new record; its version must be {@code expectedVersion + 1}
   * @return true if replaced, false if the stored version differed or the instance is gone
   * @throws IllegalArgumentException if {@code updated.version() != expectedVersion + 1}
   */
  boolean compareAndSet(long expectedVersion, Instance updated);

  /**
   * Appends an entry to an instance's action log.
   *
   * @param action the entry
   */
  void appendAction(ActionRecord action);

  /**
   * Reads an instance's action log, oldest first.
   *
   * @param instanceId the instance id
   * @return the entries, empty when there are none
   */
  List<ActionRecord> actions(String instanceId);
}
