package io.github.vmlifecycle.internal;

import io.github.vmlifecycle.PowerState;
import io.github.vmlifecycle.VmState;
import io.github.vmlifecycle.spi.DriverInstance;
import java.util.Optional;

/**
 * Derives the vm_state that is true from what the hypervisor reports. Used after a failed operation,
 * when adopting an instance the store does not know, and in recovery.
 */
public final class TruthDerivation {
  private TruthDerivation() {}

  /**
   * Returns the vm_state that matches what the hypervisor reports.
   *
   * <p>A rescue definition in place means RESCUED whatever the power state (unrescue can always
   * proceed); RUNNING is ACTIVE, PAUSED is PAUSED, SHUTDOWN with saved memory is SUSPENDED, SHUTDOWN
   * is STOPPED; a crash, a guest-initiated suspend to RAM, or a missing guest is ERROR, as is a guest
   * that cannot be observed.
   *
   * @param observed what the hypervisor reports, or empty when the guest is missing
   * @return the true vm_state
   */
  public static VmState vmState(Optional<DriverInstance> observed) {
    if (observed.isEmpty()) {
      return VmState.ERROR;
    }
    DriverInstance d = observed.get();
    if (d.rescueDefinition()) {
      return VmState.RESCUED;
    }
    switch (d.powerState()) {
      case RUNNING:
        return VmState.ACTIVE;
      case PAUSED:
        return VmState.PAUSED;
      case SHUTDOWN:
        return d.hasSavedMemory() ? VmState.SUSPENDED : VmState.STOPPED;
      default:
        return VmState.ERROR;
    }
  }

  /**
   * Returns the power state to store for an observation.
   *
   * @param observed what the hypervisor reports, or empty when the guest is missing
   * @return its power state, or NOSTATE when missing
   */
  public static PowerState powerState(Optional<DriverInstance> observed) {
    return observed.map(DriverInstance::powerState).orElse(PowerState.NOSTATE);
  }
}
