package io.github.vmlifecycle;

/**
 * Thrown when an operation is not allowed in the instance's current vm_state. Nothing was changed.
 */
public final class InvalidStateException extends VmLifecycleException {
  private static final long serialVersionUID = 1L;

  /** The operation the failure happened in, or null. */
  private final Operation operation;
  /** The attribute. */
  private final String attribute;
  /** The value. */
  private final String value;

  /**
   * Creates the exception.
   *
   * @param instance the instance name
   * @param operation the refused operation
   * @param attribute the attribute that refused it, {@code "vm_state"} or {@code "task_state"}
   * @param value the attribute's value in Nova's spelling
   */
  public InvalidStateException(String instance, Operation operation, String attribute, String value) {
    super(Kind.INVALID_STATE, instance, "Cannot '" + operation.apiName() + "' instance " + instance
        + " while it is in " + attribute + " " + value, null);
    this.operation = operation;
    this.attribute = attribute;
    this.value = value;
  }

  /**
   * Returns the refused operation.
   *
   * @return the operation
   */
  public Operation operation() {
    return operation;
  }

  /**
   * Returns the attribute that refused the operation.
   *
   * @return {@code "vm_state"} or {@code "task_state"}
   */
  public String attribute() {
    return attribute;
  }

  /**
   * Returns the attribute's value in Nova's spelling, such as {@code "stopped"}.
   *
   * @return the value
   */
  public String value() {
    return value;
  }
}
