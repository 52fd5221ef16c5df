package io.github.vmlifecycle;

/**
 * What an action-log entry or a lifecycle event is about, with Nova's names: the instance action
 * ({@link #actionName()}, as in {@code os-instance-actions}) and the notification
 * ({@link #notificationName()}, as in {@code instance.power_off.start}). The last three are
 * vmlifecycle's own: recovery after a crash, the power-state sync's reports, and adoption of an
 * instance the store did not know.
 */
public enum ActionKind {
  /** A stop, the user's or one the engine started (the power sync's, recovery's). */
  STOP("stop", "power_off"),
  /** A start. */
  START("start", "power_on"),
  /** A reboot, soft or hard. */
  REBOOT("reboot", "reboot"),
  /** A pause. */
  PAUSE("pause", "pause"),
  /** An unpause. */
  UNPAUSE("unpause", "unpause"),
  /** A suspend. */
  SUSPEND("suspend", "suspend"),
  /** A resume. */
  RESUME("resume", "resume"),
  /** A rescue. */
  RESCUE("rescue", "rescue"),
  /** An unrescue, the user's or the rescue timeout's. */
  UNRESCUE("unrescue", "unrescue"),
  /** A lock. */
  LOCK("lock", "lock"),
  /** An unlock. */
  UNLOCK("unlock", "unlock"),
  /** An administrator's reset of the vm_state. */
  RESET_STATE("resetState", "reset_state"),
  /** Recovery of an instance that a dead process left mid-operation, or of what a failed call left. */
  RECOVER("recover", "recover"),
  /** The power-state sync saw something it reports but does not act on. */
  POWER_SYNC("power_sync", "power_sync"),
  /** An instance the store did not know was taken over from the hypervisor. */
  ADOPT("adopt", "adopt");

  private final String actionName;
  private final String notificationName;

  ActionKind(String actionName, String notificationName) {
    this.actionName = actionName;
    this.notificationName = notificationName;
  }

  /**
   * Returns the instance-action name, such as {@code stop} or {@code resetState}.
   *
   * @return the name, never null
   */
  public String actionName() {
    return actionName;
  }

  /**
   * Returns the notification's middle part, such as {@code power_off} in {@code instance.power_off.end}.
   *
   * @return the name, never null
   */
  public String notificationName() {
    return notificationName;
  }

  /**
   * Returns whether the notification has phases ({@code .start}, {@code .end}, {@code .error}); a lock
   * and an unlock are single notifications, {@code instance.lock} and {@code instance.unlock}, as in Nova.
   *
   * @return true unless this is {@link #LOCK} or {@link #UNLOCK}
   */
  public boolean phased() {
    return this != LOCK && this != UNLOCK;
  }

  /**
   * Returns the kind with this instance-action name; also accepts the names older releases stored
   * ({@code reset-state}, {@code sync}).
   *
   * @param actionName an {@link #actionName()}
   * @return the kind
   * @throws IllegalArgumentException if no kind has that name
   */
  public static ActionKind ofActionName(String actionName) {
    for (ActionKind k : values()) {
      if (k.actionName.equals(actionName)) {
        return k;
      }
    }
    switch (String.valueOf(actionName)) {
      case "reset-state":
        return RESET_STATE;
      case "sync":
        return STOP;
      default:
        throw new IllegalArgumentException("Unknown action: " + actionName);
    }
  }
}
