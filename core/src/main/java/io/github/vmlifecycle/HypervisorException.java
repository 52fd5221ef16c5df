package io.github.vmlifecycle;

import java.util.Optional;

/**
 * Thrown when the hypervisor fails, refuses, times out or cannot be reached. Drivers keep the native
 * error (for libvirt, the {@code LibvirtException}) as the cause.
 */
public class HypervisorException extends VmLifecycleException {
  private static final long serialVersionUID = 1L;

  /** What the hypervisor reported, coarsely. */
  public enum Code {
    /** The connection to the hypervisor is missing, was lost, or the native library is absent. */
    CONNECTION,
    /** The hypervisor refused the request in the guest's current state. */
    OPERATION_INVALID,
    /** The hypervisor does not support the request (or the guest's devices prevent it). */
    UNSUPPORTED,
    /** The request did not finish in time. */
    TIMEOUT,
    /** The request failed for another reason. */
    OPERATION_FAILED
  }

  /** What the hypervisor reported. */
  private final Code code;
  /** The operation the failure happened in, or null. */
  private final Operation operation;

  /**
   * Creates the exception.
   *
   * @param code what the hypervisor reported
   * @param instance the instance concerned, or null
   * @param operation the operation that failed, or null when none
   * @param message what failed, naming the instance and the hypervisor's own message
   * @param cause the native error, or null
   */
  public HypervisorException(
      Code code, String instance, Operation operation, String message, Throwable cause) {
    super(Kind.HYPERVISOR, instance, message, cause);
    this.code = code;
    this.operation = operation;
  }

  /**
   * Returns what the hypervisor reported.
   *
   * @return the code, never null
   */
  public Code code() {
    return code;
  }

  /**
   * Returns the operation that failed, when known.
   *
   * @return the operation or empty
   */
  public Optional<Operation> operation() {
    return Optional.ofNullable(operation);
  }
}
