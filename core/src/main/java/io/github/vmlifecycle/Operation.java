package io.github.vmlifecycle;

/**
 * A lifecycle operation that moves an instance between {@link VmState}s through a {@link TaskState}.
 *
 * <p>Which states allow an operation, and where it lands, is data in {@link LifecycleRules}.
 */
public enum Operation {
  /** Pause the guest, keeping its memory in RAM. */
  PAUSE("pause"),
  /** Unpause a paused guest. */
  UNPAUSE("unpause"),
  /** Save the guest's memory to disk and free its RAM. */
  SUSPEND("suspend"),
  /** Restore a suspended guest from its saved memory. */
  RESUME("resume"),
  /** Boot the guest from a rescue image with its own system disk attached as a further disk. */
  RESCUE("rescue"),
  /** Leave rescue: boot the guest from its original definition again. */
  UNRESCUE("unrescue"),
  /** Power the guest off (clean shutdown with a timeout, then forced). */
  STOP("stop"),
  /** Power the guest on. */
  START("start"),
  /** Destroy and start the guest again from its definition. */
  HARD_REBOOT("reboot");

  private final String apiName;

  Operation(String apiName) {
    this.apiName = apiName;
  }

  /**
   * Returns the name used in error messages, events and the action log, such as {@code "pause"}.
   *
   * @return the API name, never null
   */
  public String apiName() {
    return apiName;
  }
}
