package io.github.vmlifecycle;

/**
 * Receives {@link LifecycleEvent}s. Called synchronously on the thread that runs the operation; an
 * implementation must be thread-safe and quick, and an exception it throws is logged and ignored.
 */
@FunctionalInterface
public interface LifecycleListener {
  /**
   * Called for each event.
   *
   * @param event the event
   */
  void onEvent(LifecycleEvent event);
}
