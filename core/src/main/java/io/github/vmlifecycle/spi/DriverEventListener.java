package io.github.vmlifecycle.spi;

/**
 * Receives {@link DriverEvent}s from a {@link HypervisorDriver}. Called on a driver thread, or on the
 * thread whose call raised the event (the fake does this); must be thread-safe and must not block for
 * long.
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
