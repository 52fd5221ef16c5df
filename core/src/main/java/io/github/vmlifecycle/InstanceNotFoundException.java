package io.github.vmlifecycle;

/** Thrown when no instance has the given name or UUID, neither in the store nor on the hypervisor. */
public final class InstanceNotFoundException extends VmLifecycleException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param instance the name or UUID that was looked up
   */
  public InstanceNotFoundException(String instance) {
    super(Kind.NOT_FOUND, instance, "Instance " + instance + " could not be found", null);
  }
}
