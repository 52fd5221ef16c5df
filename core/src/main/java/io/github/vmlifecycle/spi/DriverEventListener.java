package io.github.vmlifecycle.spi;

/**
 * Receives {@link DriverEvent}s from a {@link HypervisorDriver}. Called on a driver thread; must be
 * thread-safe and must not block for long.
 */
@FunctionalInterface
public interface DriverEventListener {
  /**
   * Called for each event.
   *
   * @param event the event
   */
  void onEvent(DriverEvent event);
}
