package io.github.vmlifecycle;

/**
 * The stable state of an instance as its user sees it (Nova's {@code vm_state}).
 *
 * <p>An instance is always in exactly one vm_state; an operation in flight is described separately by
 * its {@link TaskState}.
 */
public enum VmState {
  /** The guest runs. */
  ACTIVE,
  /** The guest is paused with its memory kept in the host's RAM. */
  PAUSED,
  /** The guest's memory is saved to the host's disk and its RAM is freed. */
  SUSPENDED,
  /** The guest is powered off. */
  STOPPED,
  /** The guest runs from a rescue image with its own system disk attached as a further disk. */
  RESCUED,
  /** The true state could not be determined, or an operation failed in a way that needs an operator. */
  ERROR;

  /**
   * Returns the lower-case name Nova uses for this state, such as {@code "active"}.
   *
   * @return the Nova name, never null
   */
  public String novaName() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }

  /**
   * Returns the state whose {@link #novaName()} or enum name matches {@code name}, ignoring case.
   *
   * @param name a name such as {@code "active"} or {@code "ERROR"}
   * @return the matching state
   * @throws InvalidInputException if no state has that name
   */
  public static VmState fromName(String name) {
    for (VmState state : values()) {
      if (state.name().equalsIgnoreCase(name)) {
        return state;
      }
    }
    throw new InvalidInputException("Unknown vm_state '" + name + "'; expected one of "
        + java.util.Arrays.toString(values()).toLowerCase(java.util.Locale.ROOT));
  }
}
