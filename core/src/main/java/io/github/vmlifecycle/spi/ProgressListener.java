package io.github.vmlifecycle.spi;

/**
 * Receives progress of a long hypervisor call, such as the bytes of guest memory written by a suspend
 * or read back by a resume. Called on a driver thread; must be thread-safe and quick.
 */
@FunctionalInterface
public interface ProgressListener {

  /** A listener that ignores progress. */
  ProgressListener NONE = (instanceId, processed, total) -> {};

  /**
   * Called as the call progresses.
   *
   * @param instanceId the instance id
   * @param processed bytes (or units) done so far
   * @param total bytes (or units) in all, or -1 when unknown
   */
  void onProgress(String instanceId, long processed, long total);
}
