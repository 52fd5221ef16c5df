package io.github.vmlifecycle.spi;

import io.github.vmlifecycle.PowerState;
import org.immutables.value.Value;

/**
 * What a hypervisor reports about one guest: identity, power state, and the facts the core needs to
 * derive a vm_state (a saved-memory image, a rescue definition in place).
 *
 * <p>Instances are immutable and thread-safe.
 */
@Value.Immutable
@VmlStyle
public abstract class DriverInstance {

  DriverInstance() {}

  /**
   * Returns a new builder.
   *
   * @return a builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * The UUID, lower case.
   *
   * @return the UUID, lower case
   */
  public abstract String id();

  /**
   * The name.
   *
   * @return the name
   */
  public abstract String name();

  /**
   * The power state.
   *
   * @return the power state
   */
  public abstract PowerState powerState();

  /**
   * Whether a saved-memory (managed-save) image exists, so that a start resumes the saved guest.
   *
   * @return whether a saved-memory (managed-save) image exists, so that a start resumes the saved guest
   */
  @Value.Default
  public boolean hasSavedMemory() {
    return false;
  }

  /**
   * Whether the guest's current definition is a rescue definition made by vmlifecycle.
   *
   * @return whether the guest's current definition is a rescue definition made by vmlifecycle
   */
  @Value.Default
  public boolean rescueDefinition() {
    return false;
  }

  /** Builds {@link DriverInstance}s. */
  public static final class Builder extends ImmutableDriverInstance.Builder {
    Builder() {}
  }
}
