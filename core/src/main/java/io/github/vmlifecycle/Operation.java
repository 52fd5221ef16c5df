package io.github.vmlifecycle;

/**
 * A lifecycle operation that moves an instance between {@link VmState}s through a {@link TaskState}.
 *
 * <p>Which states allow an operation, and where it lands, is data in {@link LifecycleRules}.
 */
public enum Operation {
  /** Pause the guest, keeping its memory in RAM. */
  PAUSE("pause", ActionKind.PAUSE),
  /** Unpause a paused guest. */
  UNPAUSE("unpause", ActionKind.UNPAUSE),
  /** Save the guest's memory to disk and free its RAM. */
  SUSPEND("suspend", ActionKind.SUSPEND),
  /** Restore a suspended guest from its saved memory. */
  RESUME("resume", ActionKind.RESUME),
  /** Boot the guest from a rescue image with its own system disk attached as a further disk. */
  RESCUE("rescue", ActionKind.RESCUE),
  /** Leave rescue: boot the guest from its original definition again. */
  UNRESCUE("unrescue", ActionKind.UNRESCUE),
  /** Power the guest off (clean shutdown with a timeout, then forced). */
  STOP("stop", ActionKind.STOP),
  /** Power the guest on. */
  START("start", ActionKind.START),
  /**
   * Ask the guest to shut down and start it again; destroy and start it when it does not react in time.
   */
  SOFT_REBOOT("reboot", ActionKind.REBOOT),
  /** Destroy and start the guest again from its definition. */
  HARD_REBOOT("reboot", ActionKind.REBOOT);

  private final String apiName;
  private final ActionKind action;

  Operation(String apiName, ActionKind action) {
    this.apiName = apiName;
    this.action = action;
  }

  /**
   * Returns the kind of action-log entry and events this operation records.
   *
   * @return the action kind, never null
   */
  public ActionKind action() {
    return action;
  }

  /**
   * Returns the name used in error messages, such as {@code "pause"}.
   *
   * @return the API name, never null
   */
  public String apiName() {
    return apiName;
  }
}
