package io.github.vmlifecycle.internal.engine;

import io.github.vmlifecycle.ActionRecord;
import io.github.vmlifecycle.Instance;
import io.github.vmlifecycle.Operation;
import io.github.vmlifecycle.OperationOptions;
import io.github.vmlifecycle.PowerState;
import io.github.vmlifecycle.internal.TruthDerivation;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Deals with instances after the host restarted (Nova's {@code init_host} with or without
 * {@code resume_guests_state_on_host_boot}): an idle instance stored as RUNNING whose guest is off is
 * synced by the {@link PowerSync} (STOPPED), or hard-rebooted on the {@link OperationPath} when the
 * guests are to be resumed. A guest that runs, is paused or is suspended is left alone. Thread-safe.
 */
public final class HostBoot {
  /** How the message of a hard reboot the host-boot recovery started begins. */
  public static final String NOTE_PREFIX = "host boot";

  /** The power states in which a guest is left alone (Nova's libvirt {@code resume_state_on_host_boot}). */
  private static final Set<PowerState> LEFT_ALONE =
      EnumSet.of(PowerState.RUNNING, PowerState.PAUSED, PowerState.SUSPENDED);

  private final EngineContext ctx;
  private final OperationPath path;
  private final PowerSync powerSync;

  /**
   * Creates the host-boot recovery of one engine.
   *
   * @param ctx the engine's context
   * @param path the engine's operation path
   * @param powerSync the engine's power sync
   */
  public HostBoot(EngineContext ctx, OperationPath path, PowerSync powerSync) {
    this.ctx = ctx;
    this.path = path;
    this.powerSync = powerSync;
  }

  /**
   * Syncs or hard-reboots every idle instance stored as RUNNING whose guest is off now.
   *
   * @param resumeGuests true to hard-reboot them, false to sync them (STOPPED)
   * @param options the stops' shutdown timeout and retry interval
   * @return the actions taken
   */
  public List<ActionRecord> recover(boolean resumeGuests, OperationOptions options) {
    List<ActionRecord> actions = new ArrayList<>();
    for (Instance instance : ctx.store.list()) {
      if (!wasRunning(instance)) {
        continue;
      }
      Truth seen = ctx.observe(instance.id());
      if (!seen.known() || seen.instance.isEmpty()
          || LEFT_ALONE.contains(TruthDerivation.powerState(seen.instance))) {
        continue;
      }
      if (resumeGuests) {
        resume(instance).ifPresent(actions::add);
      } else {
        powerSync.sync(instance.id(), options).ifPresent(actions::add);
      }
    }
    return actions;
  }

  private static boolean wasRunning(Instance instance) {
    return instance.taskState().isEmpty() && instance.powerState() == PowerState.RUNNING;
  }

  /**
   * Nova's {@code resume_state_on_host_boot}: a hard reboot the host starts, whatever the lock, only from
   * a vm_state the rules let a hard reboot start from, and only while the record is unchanged.
   */
  private Optional<ActionRecord> resume(Instance instance) {
    long version = instance.version();
    Predicate<Instance> due = i -> i.version() == version && wasRunning(i)
        && ctx.rules.refusal(Operation.HARD_REBOOT, i.vmState(), i.taskState()).isEmpty();
    Optional<Accepted> accepted = path.acceptIf(instance.id(), Operation.HARD_REBOOT, OperationOptions.defaults(),
        due, NOTE_PREFIX + ": the guest was running before the host restarted and is "
            + "running in the store but off now", false, false);
    return path.runStarted(accepted); // empty when the instance changed meanwhile
  }
}
