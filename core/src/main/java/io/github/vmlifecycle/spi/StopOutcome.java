package io.github.vmlifecycle.spi;

/** How a {@link HypervisorDriver#stop} brought the guest down; recorded in the action log. */
public enum StopOutcome {
  /** The guest was already off; nothing was done. */
  ALREADY_OFF,
  /** The guest shut down cleanly when asked (ACPI power button). */
  CLEAN,
  /** The guest did not go down within the shutdown timeout (or the timeout was zero) and was destroyed. */
  DESTROYED
}
