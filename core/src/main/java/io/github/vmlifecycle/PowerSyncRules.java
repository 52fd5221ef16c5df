package io.github.vmlifecycle;

import com.google.common.collect.ImmutableTable;
import java.util.Optional;

/**
 * The power-state sync table: what to do when the stored vm_state and the hypervisor's power state
 * disagree (REFERENCE section 7). Consulted only for idle instances (no task_state). The stored power
 * state is always overwritten with what the hypervisor reports, whatever the action.
 *
 * <p>Instances are immutable and thread-safe.
 */
public final class PowerSyncRules {

  /** What the sync does for one combination. */
  public enum Action {
    /** Nothing beyond recording the reported power state. */
    NONE,
    /** Emit an {@code instance.power_sync} event so that someone looks, change nothing. */
    REPORT,
    /** Stop the instance (STOPPED); for an ACTIVE instance this is confirmed by a second look first. */
    STOP,
    /** Force the guest off and mark the instance STOPPED. */
    FORCE_STOP
  }

  private static final PowerSyncRules STANDARD = new PowerSyncRules(ImmutableTable.<VmState, PowerState, Action>builder()
      .put(VmState.ACTIVE, PowerState.SHUTDOWN, Action.STOP)
      .put(VmState.ACTIVE, PowerState.CRASHED, Action.STOP)
      .put(VmState.ACTIVE, PowerState.SUSPENDED, Action.STOP)
      .put(VmState.ACTIVE, PowerState.PAUSED, Action.REPORT)
      .put(VmState.STOPPED, PowerState.RUNNING, Action.FORCE_STOP)
      .put(VmState.STOPPED, PowerState.PAUSED, Action.FORCE_STOP)
      .put(VmState.PAUSED, PowerState.SHUTDOWN, Action.FORCE_STOP)
      .put(VmState.PAUSED, PowerState.CRASHED, Action.FORCE_STOP)
      .build());

  private final ImmutableTable<VmState, PowerState, Action> table;

  private PowerSyncRules(ImmutableTable<VmState, PowerState, Action> table) {
    this.table = table;
  }

  /**
   * Returns the standard table (Nova's, reporting an unexpected pause instead of ignoring it).
   *
   * @return the shared standard table
   */
  public static PowerSyncRules standard() {
    return STANDARD;
  }

  /**
   * Returns the action for a stored vm_state and a reported power state.
   *
   * @param vmState the stored vm_state
   * @param reported the power state the hypervisor reports
   * @return the action; {@link Action#NONE} for every combination not in the table
   */
  public Action action(VmState vmState, PowerState reported) {
    return Optional.ofNullable(table.get(vmState, reported)).orElse(Action.NONE);
  }

  /**
   * Returns the table's non-trivial rows, for printing.
   *
   * @return the table
   */
  public ImmutableTable<VmState, PowerState, Action> asTable() {
    return table;
  }
}
