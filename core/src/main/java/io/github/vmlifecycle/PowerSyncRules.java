package io.github.vmlifecycle;

import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;

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
    /**
     * Nova's {@code force_stop}: the stop, without the vm_state check (a clean shutdown with the shutdown
     * timeout, then a destroy), and the instance STOPPED.
     */
    FORCE_STOP
  }

  private static final PowerSyncRules STANDARD = new PowerSyncRules(new Rows()
      .put(VmState.ACTIVE, PowerState.SHUTDOWN, Action.STOP)
      .put(VmState.ACTIVE, PowerState.CRASHED, Action.STOP)
      .put(VmState.ACTIVE, PowerState.SUSPENDED, Action.STOP)
      .put(VmState.ACTIVE, PowerState.PAUSED, Action.REPORT)
      .put(VmState.STOPPED, PowerState.RUNNING, Action.FORCE_STOP)
      .put(VmState.STOPPED, PowerState.PAUSED, Action.FORCE_STOP)
      .put(VmState.STOPPED, PowerState.SUSPENDED, Action.FORCE_STOP)
      .put(VmState.PAUSED, PowerState.SHUTDOWN, Action.FORCE_STOP)
      .put(VmState.PAUSED, PowerState.CRASHED, Action.FORCE_STOP)
      .build());

  private final Map<VmState, Map<PowerState, Action>> table;

  private PowerSyncRules(Map<VmState, Map<PowerState, Action>> table) {
    this.table = table;
  }

  /** Collects the table's rows. */
  private static final class Rows {
    private final Map<VmState, Map<PowerState, Action>> rows = new EnumMap<>(VmState.class);

    Rows put(VmState vmState, PowerState reported, Action action) {
      rows.computeIfAbsent(vmState, k -> new EnumMap<>(PowerState.class)).put(reported, action);
      return this;
    }

    Map<VmState, Map<PowerState, Action>> build() {
      Map<VmState, Map<PowerState, Action>> frozen = new EnumMap<>(VmState.class);
      rows.forEach((k, v) -> frozen.put(k, Collections.unmodifiableMap(new EnumMap<>(v))));
      return Collections.unmodifiableMap(frozen);
    }
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
    return table.getOrDefault(vmState, Map.of()).getOrDefault(reported, Action.NONE);
  }

  /**
   * Returns the table's non-trivial rows, for printing.
   *
   * @return the rows by stored vm_state, then by reported power state; unmodifiable
   */
  public Map<VmState, Map<PowerState, Action>> asMap() {
    return table;
  }
}
