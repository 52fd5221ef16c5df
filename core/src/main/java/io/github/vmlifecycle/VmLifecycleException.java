package io.github.vmlifecycle;

import java.util.Optional;

/**
 * The root of every exception that vmlifecycle throws. Callers decide on {@link #kind()} or the
 * subclass, never on the message text.
 */
public class VmLifecycleException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** What went wrong, coarsely; stable across releases, suitable for exit codes and metrics. */
  public enum Kind {
    /** The instance's vm_state does not allow the operation. */
    INVALID_STATE,
    /** The instance is locked. */
    LOCKED,
    /** Another operation is in flight on the instance, or won a race to start. */
    BUSY,
    /** The instance does not exist. */
    NOT_FOUND,
    /** The hypervisor failed, refused, timed out or could not be reached. */
    HYPERVISOR,
    /** The input (an id, a path, a domain XML document, an option) is invalid. */
    INVALID_INPUT,
    /** The state store could not be read or written. */
    STORE
  }

  /** The kind of failure. */
  private final Kind kind;
  /** The instance. */
  private final String instance;

  /**
   * Creates an exception.
   *
   * @param kind what went wrong
   * @param instance the instance concerned, or null when none
   * @param message the message, naming everything an operator needs
   * @param cause the underlying cause, or null
   */
  protected VmLifecycleException(Kind kind, String instance, String message, Throwable cause) {
    super(message, cause);
    this.kind = kind;
    this.instance = instance;
  }

  /**
   * Returns what went wrong.
   *
   * @return the kind, never null
   */
  public Kind kind() {
    return kind;
  }

  /**
   * Returns the instance the error concerns, when there is one.
   *
   * @return the instance name or id as the caller gave it, or empty
   */
  public Optional<String> instance() {
    return Optional.ofNullable(instance);
  }
}
