package io.github.vmlifecycle;

import io.github.vmlifecycle.internal.store.FileInstanceStore;
import io.github.vmlifecycle.internal.store.InMemoryInstanceStore;
import io.github.vmlifecycle.spi.InstanceStore;
import java.nio.file.Path;

/** Factories for the {@link InstanceStore}s that ship with vmlifecycle. */
public final class InstanceStores {
  private InstanceStores() {}

  /**
   * Returns a new, empty in-memory store. Thread-safe; its content is lost with the process.
   *
   * @return the store
   */
  public static InstanceStore inMemory() {
    return new InMemoryInstanceStore();
  }

  /**
   * Returns a new, empty in-memory store that keeps only the newest {@code maxActionsPerInstance}
   * entries of each action log. Thread-safe; its content is lost with the process.
   *
   * @param maxActionsPerInstance how many action-log entries to keep per instance, at least 1
   * @return the store
   * @throws InvalidInputException if {@code maxActionsPerInstance} is less than 1
   */
  public static InstanceStore inMemory(int maxActionsPerInstance) {
    if (maxActionsPerInstance < 1) {
      throw new InvalidInputException("maxActionsPerInstance must be at least 1, not " + maxActionsPerInstance);
    }
    return new InMemoryInstanceStore(maxActionsPerInstance);
  }

  /**
   * Returns a durable store in {@code directory}: one file per instance, written atomically (temp
   * file, fsync, rename), and an append-only action log per instance. Compare-and-set holds an OS file
   * lock per instance, so it is safe across processes as well as threads. Files are created with mode
   * 0600 where the file system supports POSIX permissions. The directory must belong to the user running
   * this and be writable by nobody else; files are never followed through symbolic links and must be
   * regular files. Action logs rotate at {@value FileInstanceStore#DEFAULT_MAX_SEGMENT_BYTES} bytes,
   * keeping {@value FileInstanceStore#DEFAULT_KEPT_SEGMENTS} older segments.
   *
   * @param directory the directory, created if missing
   * @return the store
   * @throws StoreException if the directory cannot be created or written, or is unsafe (reason
   *     UNSAFE_DIRECTORY)
   */
  public static InstanceStore directory(Path directory) {
    return new FileInstanceStore(directory);
  }

  /**
   * Returns a durable store in {@code directory}, as {@link #directory(Path)}, whose action logs rotate
   * once a segment would grow past {@code maxSegmentBytes}, keeping {@code keptSegments} older segments
   * per instance (older ones are deleted).
   *
   * @param directory the directory, created if missing
   * @param maxSegmentBytes the rotation size, at least 4096
   * @param keptSegments how many rotated segments to keep, at least 0
   * @return the store
   * @throws StoreException if the directory cannot be created or written, or is unsafe
   * @throws InvalidInputException if a limit is out of range
   */
  public static InstanceStore directory(Path directory, long maxSegmentBytes, int keptSegments) {
    return new FileInstanceStore(directory, maxSegmentBytes, keptSegments);
  }
}
