package io.github.vmlifecycle.internal.engine;

import io.github.vmlifecycle.Instance;
import io.github.vmlifecycle.TaskState;
import java.time.Instant;
import java.util.Optional;

/**
 * The one place that builds the next version of an instance record: every change the engine writes
 * starts here, with the version bumped and the time stamped, and a task set or cleared only through
 * these methods. Stateless.
 */
public final class NextRecord {
  private NextRecord() {}

  /** The next record: version + 1, updated now; the caller changes what it changes. */
  public static Instance.Builder after(Instance current, Instant now) {
    return Instance.copyOf(current).version(current.version() + 1).updatedAt(now);
  }

  /** The next record with {@code task} in flight under {@code requestId}, started now. */
  public static Instance.Builder busy(Instance current, TaskState task, String requestId, Instant now) {
    return after(current, now).taskState(task).requestId(requestId).taskStartedAt(now);
  }

  /** The next record with no task in flight (and no definition kept for it). */
  public static Instance.Builder idle(Instance current, Instant now) {
    return after(current, now).taskState(Optional.empty()).requestId(Optional.empty())
        .taskStartedAt(Optional.empty()).definitionAtAccept(Optional.empty());
  }

  /** Drops what only a rescued instance keeps: the original definition, the rescue request and time. */
  public static Instance.Builder outOfRescue(Instance.Builder b) {
    return b.originalDefinition(Optional.empty()).rescueRequest(Optional.empty()).rescuedAt(Optional.empty());
  }
}
