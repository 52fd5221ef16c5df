package io.github.vmlifecycle.spi;

import io.github.vmlifecycle.ActionRecord;
import io.github.vmlifecycle.Instance;
import io.github.vmlifecycle.StoreException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Durable (or in-memory) storage of {@link Instance} records and their action logs, with
 * compare-and-set updates so that of two racing writers exactly one wins.
 *
 * <p>Every method may throw {@link StoreException} when the store cannot be read or written; a corrupt
 * record is reported, never silently skipped: {@link #get} throws for it, and {@link #list} may leave it
 * out only when {@link #unreadableRecords} names it. Implementations must be thread-safe.
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

  /**
   * Reads the newest entries of an instance's action log, oldest first. The default reads the whole
   * log; a durable store should read only what it returns.
   *
   * @param instanceId the instance id
   * @param count how many entries at most
   * @return the newest {@code count} entries (fewer when the log is shorter)
   */
  default List<ActionRecord> lastActions(String instanceId, int count) {
    List<ActionRecord> all = actions(instanceId);
    return count <= 0 ? List.of() : List.copyOf(all.subList(Math.max(0, all.size() - count), all.size()));
  }

  /**
   * Reads the entries of an instance's action log that finished at or after {@code since}, oldest
   * first. Entries are taken from the end of the log back to the first one (in write order) that
   * finished earlier.
   *
   * @param instanceId the instance id
   * @param since the earliest finish time returned
   * @return the entries
   */
  default List<ActionRecord> actionsSince(String instanceId, Instant since) {
    List<ActionRecord> all = actions(instanceId);
    int from = all.size();
    while (from > 0 && !all.get(from - 1).finishedAt().isBefore(since)) {
      from--;
    }
    return List.copyOf(all.subList(from, all.size()));
  }

  /**
   * Names the stored records that cannot be read (corrupt, too large, not a regular file), which
   * {@link #list} leaves out. The default reports none, for stores whose {@link #list} never skips.
   *
   * @return one exception per unreadable record, each naming its file; empty when every record reads
   */
  default List<StoreException> unreadableRecords() {
    return List.of();
  }
}
