package io.github.vmlifecycle;

import java.util.Locale;

/**
 * The power state that the hypervisor reports for a guest (Nova's {@code power_state}).
 *
 * <p>libvirt maps as follows: RUNNING and BLOCKED to {@link #RUNNING}, PAUSED to {@link #PAUSED},
 * SHUTDOWN and SHUTOFF to {@link #SHUTDOWN}, CRASHED to {@link #CRASHED}, PMSUSPENDED to
 * {@link #SUSPENDED}, and NOSTATE or a missing domain to {@link #NOSTATE}.
 */
public enum PowerState {
  /** The hypervisor reports no state, or the guest does not exist. */
  NOSTATE,
  /** The guest runs. */
  RUNNING,
  /** The guest's vCPUs are paused; its memory stays in RAM. */
  PAUSED,
  /** The guest is not running (it may have a saved-memory image). */
  SHUTDOWN,
  /** The guest crashed. */
  CRASHED,
  /** The guest suspended itself to RAM (ACPI S3). */
  SUSPENDED;

  /**
   * Returns the lower-case name Nova uses for this power state, such as {@code "running"}.
   *
   * @return the Nova name, never null
   */
  public String novaName() {
    return name().toLowerCase(Locale.ROOT);
  }
}
