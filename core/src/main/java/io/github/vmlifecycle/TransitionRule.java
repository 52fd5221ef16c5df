package io.github.vmlifecycle;

import io.github.vmlifecycle.spi.VmlStyle;
import java.util.Set;
import org.immutables.value.Value;

/**
 * One row of the lifecycle table: which states allow an operation, the task state while it runs, and
 * where it lands on success.
 *
 * <p>Instances are immutable and thread-safe.
 */
@Value.Immutable
@VmlStyle
public abstract class TransitionRule {

  TransitionRule() {}

  /**
   * Returns a new builder.
   *
   * @return a builder with no attribute set
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * The operation this rule governs.
   *
   * @return the operation this rule governs
   */
  public abstract Operation operation();

  /**
   * The vm_states from which the operation may be requested.
   *
   * @return the vm_states from which the operation may be requested
   */
  public abstract Set<VmState> allowedVmStates();

  /**
   * Task states that the operation may pre-empt, besides none (hard reboot may interrupt a pause,
   * unpause, suspend or resume in flight).
   *
   * @return task states that the operation may pre-empt, besides none
   */
  public abstract Set<TaskState> preemptableTaskStates();

  /**
   * The task state set while the operation runs.
   *
   * @return the task state set while the operation runs
   */
  public abstract TaskState taskState();

  /**
   * The vm_state after success.
   *
   * @return the vm_state after success
   */
  public abstract VmState vmStateAfter();

  /**
   * The power state the hypervisor reports after success.
   *
   * @return the power state the hypervisor reports after success
   */
  public abstract PowerState powerStateAfter();

  @Value.Check
  void check() {
    if (allowedVmStates().isEmpty()) {
      throw new IllegalArgumentException("rule for " + operation() + " allows no vm_state");
    }
  }

  /** Builds {@link TransitionRule}s. */
  public static final class Builder extends ImmutableTransitionRule.Builder {
    Builder() {}
  }
}
