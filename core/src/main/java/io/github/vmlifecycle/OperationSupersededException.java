package io.github.vmlifecycle;

/**
 * Thrown when an accepted operation lost its instance to a pre-empting operation (a hard reboot) or an
 * administrator's reset-state before it could save its result (the instance's state is whatever the
 * operation that took over saves; this operation's outcome is in the action log), or, in the rare case
 * that a request could not be accepted because the instance's record kept changing under concurrent
 * updates, before anything was changed.
 */
public final class OperationSupersededException extends VmLifecycleException {
  private static final long serialVersionUID = 1L;

  /** The operation the failure happened in, or null. */
  private final Operation operation;

  /**
   * Creates the exception.
   *
   * @param instance the instance name
   * @param operation the superseded operation
   * @param detail what took over
   */
  public OperationSupersededException(String instance, Operation operation, String detail) {
    super(Kind.BUSY, instance,
        "The '" + operation.apiName() + "' of instance " + instance + " was superseded: " + detail, null);
    this.operation = operation;
  }

  /**
   * Returns the superseded operation.
   *
   * @return the operation
   */
  public Operation operation() {
    return operation;
  }
}
