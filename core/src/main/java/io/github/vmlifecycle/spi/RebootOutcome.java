package io.github.vmlifecycle.spi;

/** How a {@link HypervisorDriver#softReboot} rebooted the guest; recorded in the action log. */
public enum RebootOutcome {
  /** The guest shut down cleanly when asked (or rebooted itself) and runs again: Nova's soft reboot. */
  SOFT,
  /**
   * The guest was not running, or did not react within {@link DriverCall#softRebootTimeout()}, and was
   * hard-rebooted instead (destroyed and started again).
   */
  HARD
}
