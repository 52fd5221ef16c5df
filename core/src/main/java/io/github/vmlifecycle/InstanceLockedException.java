package io.github.vmlifecycle;

/** Thrown when an operation is requested on a locked instance. Nothing was changed. */
public final class InstanceLockedException extends VmLifecycleException {
  private static final long serialVersionUID = 1L;

  /** The operation the failure happened in, or null. */
  private final Operation operation;

  /**
   * Creates the exception.
   *
   * @param instance the instance name
   * @param operation the refused operation
   */
  public InstanceLockedException(String instance, Operation operation) {
    super(Kind.LOCKED, instance,
        "Cannot '" + operation.apiName() + "' instance " + instance + ": instance " + instance + " is locked",
        null);
    this.operation = operation;
  }

  /**
   * Returns the refused operation.
   *
   * @return the operation
   */
  public Operation operation() {
    return operation;
  }
}
