package io.github.vmlifecycle;

import java.util.Locale;

/**
 * The operation in flight on an instance (Nova's {@code task_state}); an idle instance has none.
 *
 * <p>The engine sets a task state with a compare-and-set when it accepts a request and clears it when
 * the operation ends, whether it succeeded or failed.
 */
public enum TaskState {
  /** A pause is in flight. */
  PAUSING,
  /** An unpause is in flight. */
  UNPAUSING,
  /** A suspend is in flight. */
  SUSPENDING,
  /** A resume is in flight. */
  RESUMING,
  /** A rescue is in flight. */
  RESCUING,
  /** An unrescue is in flight. */
  UNRESCUING,
  /** A stop is in flight. */
  POWERING_OFF,
  /** A start is in flight. */
  POWERING_ON,
  /** A soft reboot is in flight. */
  REBOOTING,
  /** A hard reboot is in flight. */
  REBOOTING_HARD;

  /**
   * Returns the lower-case, hyphenated name Nova uses for this task state, such as
   * {@code "powering-off"}.
   *
   * @return the Nova name, never null
   */
  public String novaName() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }
}
