package io.github.vmlifecycle;

/**
 * Thrown when an operation is requested while another one is in flight on the same instance, including
 * when two requests race and this one lost the compare-and-set. Nothing was changed.
 */
public final class InstanceBusyException extends VmLifecycleException {
  private static final long serialVersionUID = 1L;

  /** The operation the failure happened in, or null. */
  private final Operation operation;
  /** The blocking task. */
  private final TaskState blockingTask;

  /**
   * Creates the exception.
   *
   * @param instance the instance name
   * @param operation the refused operation
   * @param blockingTask the task state in flight that refused it
   */
  public InstanceBusyException(String instance, Operation operation, TaskState blockingTask) {
    super(Kind.BUSY, instance, "Cannot '" + operation.apiName() + "' instance " + instance
        + " while it is in task_state " + blockingTask.novaName(), null);
    this.operation = operation;
    this.blockingTask = blockingTask;
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
   * Returns the task in flight that this request lost to.
   *
   * @return the blocking task state
   */
  public TaskState blockingTask() {
    return blockingTask;
  }
}
